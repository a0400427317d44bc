import { isWorkerLost, retryDelayMs } from "../../queue/retry-schedule.js";
import type { StackOperation } from "../../queue/stack-job.js";
import type { ClusterDeploymentScope, StackStatus } from "./scope.js";

/** Queues a stack job again: `startOperation` of phases.ts. */
export type StartOperation = (
  scope: ClusterDeploymentScope,
  type: StackOperation,
  suffix?: string,
  why?: Pick<StackStatus, "cause" | "message" | "retry">,
) => Promise<void>;

/**
 * A failed job the controller retries itself, as a new job: a destroy (deletion has started, no spec change can
 * help, and giving up leaves infrastructure behind) and any job whose worker died on it more often than BullMQ's
 * maxStalledCount allows (no fault of the spec: the cause passes or a person fixes the worker). Transient
 * failures never get here: the worker retries them without limit.
 */
export function retriedByController(op: StackStatus): boolean {
  return op.type === "destroy" || isWorkerLost(op.message);
}

/**
 * BullMQ keeps the failed job (a re-add under its id is dropped as a duplicate), so each retry is a new job,
 * `<uid>.g<G>.<op>.retry<N>`, queued after the capped exponential backoff of the job layer; status.stack.retry
 * records it, so the wait survives a controller restart and shows in status.
 */
export async function retryFailedOperation(
  scope: ClusterDeploymentScope,
  failed: StackStatus,
  start: StartOperation,
): Promise<void> {
  const retry = { count: failed.retry?.count ?? 0, failedAttempts: failed.retry?.failedAttempts ?? 1 };
  const next = retry.count + 1;
  const { backoffMs, backoffCapMs } = scope.deps.config.worker;
  const nextAt =
    failed.retry?.nextAt ??
    new Date(
      Date.parse(failed.finishedAt ?? scope.now.toISOString()) +
        retryDelayMs(next, { baseMs: backoffMs, capMs: backoffCapMs }),
    ).toISOString();
  const waitMs = Date.parse(nextAt) - scope.now.getTime();
  if (waitMs > 0) {
    failed.retry = { ...retry, nextAt };
    scope.requeueAfterMs = waitMs;
    return;
  }
  await start(scope, failed.type, `retry${next}`, {
    message: failed.message,
    retry: { count: next, failedAttempts: retry.failedAttempts },
  });
}
