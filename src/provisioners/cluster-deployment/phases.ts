/**
 * What a ClusterDeployment's controller does, in order (as Cluster API lists a controller's phases). Each phase
 * lives in the file named for its concern:
 * - preflight.ts: the platform, the spec, the credentials and the provider plugins allow a run;
 * - drift.ts: a refresh for a new generation gives way; drift is repaired; the periodic drift check;
 * - ../stack-resource: queue, follow, retry and take in the stack's jobs, and delete (cancel, destroy, abandon);
 * - power-state.ts: the power state a run moves the cluster to, and what its result says it is;
 * - stack.ts: the table the shared stack phases read the ClusterDeployment through.
 */
import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import { logger } from "../../runtime/logging.js";
import {
  deleteStack,
  followOperation,
  refOf,
  retriedByController,
  retryFailedOperation,
  stackApplied,
  startOperation,
} from "../stack-resource/index.js";
import { refreshGivesWay, repairOrCheckDrift } from "./drift.js";
import { desiredStack } from "./platform.js";
import { preflight } from "./preflight.js";
import type { ClusterDeploymentScope } from "./scope.js";
import { clusterDeploymentStack as stack } from "./stack.js";

export { spreadResync } from "./drift.js";

const log = logger("cluster-deployment");

/** Provision, hibernate, resume, repair: make the stack match generation G with one `up` at a time. */
export async function reconcileNormal(scope: ClusterDeploymentScope): Promise<void> {
  const { cd, deps } = scope;
  const adapter = await preflight(scope);
  const generation = cd.metadata!.generation ?? 1;
  if (await refreshGivesWay(scope, generation)) return;
  if (!(await followOperation(stack, scope))) return; // a job is still running
  const last = scope.status.stack;
  if (last?.result === "Failed" && last.generation === generation && last.type === "up") {
    if (retriedByController(last)) return retryFailedOperation(stack, scope, last);
    throw new TerminalError(
      Reason.OperationFailed,
      `${last.message ?? "the last run failed"}; change the spec to try again`,
    );
  }
  // A new generation whose stack inputs are those already applied (a pool claimed the cluster) needs no run.
  const { inputsHash } = desiredStack(adapter, cd, deps.config);
  if (!stackApplied(last, generation, inputsHash)) return startOperation(stack, scope, "up");
  await repairOrCheckDrift(scope);
}

/** Destroy the stack (unless preserveOnDelete), then the finalizer may go. Returns true when done. */
export async function reconcileDelete(scope: ClusterDeploymentScope): Promise<boolean> {
  const { cd } = scope;
  if (cd.spec.preserveOnDelete) {
    log.info({ ClusterDeployment: refOf(cd) }, "preserveOnDelete is set: leaving the cluster in place");
    return true;
  }
  return deleteStack(stack, scope);
}
