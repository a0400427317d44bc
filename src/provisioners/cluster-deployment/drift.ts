/**
 * Drift: a periodic refresh (spread over time per resource) checks that the stack still holds what the spec asks
 * for; what it finds is repaired by an up. A spec change never waits behind such a check.
 */
import { createHash } from "node:crypto";
import { logger } from "../../runtime/logging.js";
import { CANCEL_FOLLOW_MS, refOf, repairOrRecheck, startOperation } from "../stack-resource/index.js";
import type { ClusterDeploymentScope } from "./scope.js";
import { clusterDeploymentStack } from "./stack.js";

const log = logger("cluster-deployment");

/**
 * The resync interval, 10% shorter or longer by the resource's uid: clusters created together (a pool, a DR
 * fleet) spread their drift checks over time instead of refreshing all at once, every interval.
 */
export function spreadResync(resyncMs: number, uid: string): number {
  const unit = createHash("sha256").update(uid).digest().readUInt16BE(0) / 0xffff; // 0..1, fixed per resource
  return Math.round(resyncMs * (0.9 + 0.2 * unit));
}

/**
 * The stack is applied: repair the drift the last refresh found with an up, or refresh when the resync interval
 * (spread per cluster) has passed since the last run, or look again when it will have.
 */
export function repairOrCheckDrift(scope: ClusterDeploymentScope): Promise<void> {
  const resyncMs = spreadResync(scope.deps.config.controller.resyncSeconds * 1000, scope.cd.metadata!.uid!);
  return repairOrRecheck(clusterDeploymentStack, scope, resyncMs);
}

/**
 * A periodic refresh still waiting for a worker when the spec changes is withdrawn, and the `up` for the new
 * generation queued instead: people's changes never wait behind a drift check. A running one is cancelled (it
 * only reads; the up refreshes what it changes anyway) and the up follows once it ended. Returns true when it
 * queued the up.
 */
export async function refreshGivesWay(scope: ClusterDeploymentScope, generation: number): Promise<boolean> {
  const last = scope.status.stack;
  if (last?.type !== "refresh" || last.result !== "InProgress" || last.generation === generation)
    return false;
  const job = await scope.deps.queue.lookup(last.jobId);
  if (job.state === "active") {
    await scope.deps.queue.requestCancel(
      last.jobId,
      `generation ${generation} of ${refOf(scope.cd)} changed the spec: the drift check gives way to its up`,
    );
    scope.requeueAfterMs = CANCEL_FOLLOW_MS;
    return false; // followed below until it ends; then the up runs
  }
  if (job.state !== "waiting" && job.state !== "delayed") return false;
  if (!(await scope.deps.queue.withdraw(last.jobId))) return false; // a worker took it meanwhile: follow it
  log.info(
    { ClusterDeployment: refOf(scope.cd), jobId: last.jobId },
    "Withdrew a waiting refresh for the new generation",
  );
  await startOperation(clusterDeploymentStack, scope, "up");
  return true;
}
