/**
 * What a HostedCluster's controller does, in order. Its stack runs as a ClusterDeployment's does, through the
 * shared stack phases (../stack-resource: queue, follow, retry, delete) and the table in stack.ts; power-state.ts
 * says what a run's result means to the control plane; node-pools.ts deletes its NodePools first.
 */
import { HostedClusterReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import {
  deleteStack,
  followOperation,
  retriedByController,
  repairOrRecheck,
  retryFailedOperation,
  stackApplied,
  startOperation,
} from "../stack-resource/index.js";
import { nodePoolsGone } from "./node-pools.js";
import { desiredHostedStack, hostedProgramFor, validateHostedStack } from "./platform.js";
import type { HostedClusterScope } from "./scope.js";
import { hostedClusterStack as stack } from "./stack.js";

export { desiredPowerState } from "./power-state.js";

/** How often a control plane whose pods are not ready yet is looked at again (a refresh). */
const PODS_RECHECK_MS = 15_000;

/**
 * Create, hibernate, resume, repair: make the stack match the generation with one `up` at a time, as a
 * ClusterDeployment's stack is (the same job layer, queue and runner), and check for drift every resync.
 */
export async function reconcileNormal(scope: HostedClusterScope): Promise<void> {
  const { hc, deps } = scope;
  const program = hostedProgramFor(hc);
  validateHostedStack(hc, program, deps.config);
  const generation = hc.metadata!.generation ?? 1;
  if (!(await followOperation(stack, scope))) return;
  const last = scope.status.stack;
  if (last?.result === "Failed" && last.type !== "destroy" && last.generation === generation) {
    if (retriedByController(last)) return retryFailedOperation(stack, scope, last);
    throw new TerminalError(
      Reason.OperationFailed,
      `${last.message ?? "the last run failed"}; change the spec to try again`,
    );
  }
  const { inputsHash } = desiredHostedStack(hc, program, deps.config);
  if (!stackApplied(last, generation, inputsHash)) return startOperation(stack, scope, "up");
  // Pods not ready yet: look again soon with a refresh (reads the platform's word without changing anything).
  const resyncMs = deps.config.controller.resyncSeconds * 1000;
  await repairOrRecheck(stack, scope, scope.waitingForPods ? PODS_RECHECK_MS : resyncMs);
}

/**
 * Deletion, in HyperShift's order: the NodePools naming the cluster first (deleted, then waited for), then the
 * control plane and its data (destroy), then the kubeconfig Secret. Registration holds its own finalizer until the
 * ManagedCluster is gone. Returns true when done. A destroy that fails is retried with backoff, and the
 * slipway.dev/abandon-deprovision annotation releases the cluster deliberately, so deletion always ends.
 */
export async function reconcileDelete(scope: HostedClusterScope): Promise<boolean> {
  if (!(await nodePoolsGone(scope))) return false;
  return deleteStack(stack, scope);
}
