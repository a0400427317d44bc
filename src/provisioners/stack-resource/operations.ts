/**
 * The operations of a stack-backed resource, one at a time: queue a stack job (`up`, `refresh`, `destroy`), follow
 * it in status.stack, take in its result, and retry what the controller retries itself. Shared by every
 * stack-backed kind through its `StackResourceKind` table (kind.ts).
 */
import type { ClusterPowerState, KubeObject } from "../../api/index.js";
import { logger } from "../../runtime/logging.js";
import { CANCELLED_PREFIX, jobId as stackJobId } from "../../queue/job.js";
import { isWorkerLost, retryDelayMs } from "../../queue/retry-schedule.js";
import type { StackJobData, StackJobResult, StackOperation } from "../../queue/stack-job.js";
import type { StackResourceKind, StackScope, StackStatus } from "./kind.js";

const log = logger("stack-resource");

/** `namespace/name`, for log keys and messages. */
export function refOf(object: KubeObject): string {
  return `${object.metadata?.namespace}/${object.metadata?.name}`;
}

/** A stack job's payload: references only (the worker reads the object, its Secret, when the job runs). */
export function stackJobData(
  kind: Pick<StackResourceKind<KubeObject, StackScope>, "kind" | "jobType">,
  object: KubeObject,
  operation: StackOperation,
  generation: number,
  priorAttempts?: number,
): StackJobData {
  return {
    type: kind.jobType,
    kind: kind.kind,
    namespace: object.metadata!.namespace!,
    name: object.metadata!.name!,
    uid: object.metadata!.uid!,
    generation,
    operation,
    ...(priorAttempts ? { priorAttempts } : {}),
  };
}

/** The part of a job id after `<uid>.g<generation>.<operation>`, so a re-enqueue keeps the same id. */
function suffixOf(jobId: string): string | undefined {
  const parts = jobId.split(".");
  return parts.length > 3 ? parts.slice(3).join(".") : undefined;
}

/** Queues a stack operation for the object's generation and records it in status.stack. */
export async function startOperation<O extends KubeObject, S extends StackScope>(
  kind: StackResourceKind<O, S>,
  scope: S,
  type: StackOperation,
  suffix?: string,
  why?: Pick<StackStatus, "cause" | "message" | "retry">,
): Promise<void> {
  const object = kind.object(scope);
  const { status } = scope;
  const generation = object.metadata!.generation ?? 1;
  const data = stackJobData(kind, object, type, generation, why?.retry?.failedAttempts);
  const jobId = stackJobId(data, suffix);
  log.info({ [kind.kind]: refOf(object), jobId }, `Enqueuing ${type} for generation ${generation}`);
  await kind.queue(scope).enqueue(data, suffix);
  const previous = status.stack;
  status.stack = {
    type,
    jobId,
    generation,
    startedAt: scope.now.toISOString(),
    result: "InProgress",
    ...why,
  };
  // A pass that read a cache older than its own last status write finds the job already done: BullMQ kept the
  // duplicate id out, so take the finished job's result rather than report the work as started again.
  const existing = await kind.queue(scope).lookup(jobId);
  if (existing.state === "completed" && existing.result) {
    scope.job = existing;
    applyJobResult(kind, scope, status.stack, existing.result);
    return;
  }
  kind.started?.(scope, type);
  if (!previous || previous.type !== type) {
    const { reasons } = kind;
    await kind.event(
      scope,
      "Normal",
      type === "destroy"
        ? reasons.Deprovisioning
        : type === "refresh"
          ? reasons.Refreshing
          : reasons.Applying,
      `Enqueued ${type} for generation ${generation} (job ${jobId})`,
    );
  }
}

/**
 * Follows the operation recorded in status. Returns true when nothing is in flight any more (finished now or
 * before). A job missing from Redis (flushed, or expired) is queued again under the same id: the CRs are the
 * source of truth and rebuild the queue.
 */
export async function followOperation<O extends KubeObject, S extends StackScope>(
  kind: StackResourceKind<O, S>,
  scope: S,
): Promise<boolean> {
  const last = scope.status.stack;
  if (!last || last.result !== "InProgress") return true;
  const object = kind.object(scope);
  const job = await kind.queue(scope).lookup(last.jobId);
  scope.job = job;
  switch (job.state) {
    case "missing":
      log.info(
        { [kind.kind]: refOf(object), jobId: last.jobId },
        "Job not found in Redis: enqueuing it again",
      );
      await kind
        .queue(scope)
        .enqueue(
          stackJobData(kind, object, last.type, last.generation, last.retry?.failedAttempts),
          suffixOf(last.jobId),
        );
      return false;
    case "waiting":
    case "delayed":
    case "active":
      if (job.progress) last.progress = job.progress;
      return false;
    case "completed":
      if (!job.result) return false; // not readable yet: the job's completion event brings the next pass
      applyJobResult(kind, scope, last, job.result);
      return true;
    case "failed": {
      last.result = "Failed";
      last.finishedAt = (job.finishedAt ?? scope.now).toISOString();
      last.message = job.failedReason;
      if (retriedByController(last)) {
        const before = last.retry?.failedAttempts ?? 0;
        last.retry = {
          count: last.retry?.count ?? 0,
          failedAttempts: before + Math.max(1, job.attemptsMade),
        };
      }
      // A run cancelled on purpose (a drift check giving way to a spec change) is no failure to warn about.
      if (!job.failedReason?.startsWith(CANCELLED_PREFIX))
        await kind.event(
          scope,
          "Warning",
          last.type === "destroy" ? kind.reasons.DestroyFailed : kind.reasons.OperationFailed,
          `${last.type} failed: ${job.failedReason ?? "unknown error"}`,
        );
      return true;
    }
  }
}

/** Takes in a finished job's result: status.stack here, the rest (endpoint, power state ...) by the kind. */
export function applyJobResult<O extends KubeObject, S extends StackScope>(
  kind: StackResourceKind<O, S>,
  scope: S,
  last: StackStatus,
  result: StackJobResult,
): void {
  last.result = "Succeeded";
  last.finishedAt = result.finishedAt;
  last.message =
    result.skipped ??
    `${last.type} finished in ${(result.durationMs / 1000).toFixed(1)}s${result.note ? `; ${result.note}` : ""}`;
  delete last.retry;
  if (last.progress)
    last.progress = { ...last.progress, resourcesDone: last.progress.resourcesTotal, percent: 100 };
  if (result.inputsHash) last.inputsHash = result.inputsHash;
  kind.applyResult(scope, last, result);
}

/**
 * The stack holds the spec: its last run, an up or refresh that succeeded, was for this generation or applied the
 * same inputs (a new generation that changes no input, a pool claiming the cluster, needs no run).
 */
export function stackApplied(
  last: StackStatus | undefined,
  generation: number,
  inputsHash: string,
): last is StackStatus {
  return (
    last?.result === "Succeeded" &&
    last.type !== "destroy" &&
    (last.generation === generation || last.inputsHash === inputsHash)
  );
}

/**
 * Once the stack holds the spec: repair the drift the last refresh found with an up, or refresh (a drift check that
 * changes nothing) when `recheckMs` has passed since the last run, or look again when it will have. 0: never.
 */
export async function repairOrRecheck<O extends KubeObject, S extends StackScope & { drift?: string }>(
  kind: StackResourceKind<O, S>,
  scope: S,
  recheckMs: number,
): Promise<void> {
  const last = scope.status.stack!;
  const finishedAt = Date.parse(last.finishedAt ?? "") || 0;
  if (scope.drift) {
    await startOperation(kind, scope, "up", `repair${finishedAt}`, {
      cause: kind.reasons.DriftDetected,
      message: scope.drift,
    });
    return;
  }
  const sinceMs = scope.now.getTime() - Date.parse(last.finishedAt ?? scope.now.toISOString());
  if (recheckMs > 0 && sinceMs >= recheckMs) {
    await startOperation(kind, scope, "refresh", `r${finishedAt}`);
    return;
  }
  if (recheckMs > 0) scope.requeueAfterMs = Math.max(1000, recheckMs - sinceMs);
}

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
export async function retryFailedOperation<O extends KubeObject, S extends StackScope>(
  kind: StackResourceKind<O, S>,
  scope: S,
  failed: StackStatus,
): Promise<void> {
  const retry = { count: failed.retry?.count ?? 0, failedAttempts: failed.retry?.failedAttempts ?? 1 };
  const next = retry.count + 1;
  const { backoffMs, backoffCapMs } = kind.config(scope).worker;
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
  await startOperation(kind, scope, failed.type, `retry${next}`, {
    message: failed.message,
    retry: { count: next, failedAttempts: retry.failedAttempts },
  });
}

/**
 * The power state a cluster moves to as an operation is queued: Deprovisioning for a destroy; for an up, the
 * first provision (`first`), or Stopping or Starting when the spec asks for the other state than the one it is in.
 */
export function powerStateAsQueued(
  type: StackOperation,
  desired: "Running" | "Hibernating",
  status: { provisionedAt?: string; powerState?: ClusterPowerState },
  first: ClusterPowerState,
): ClusterPowerState | undefined {
  if (type === "destroy") return "Deprovisioning";
  if (type !== "up") return status.powerState;
  if (!status.provisionedAt) return first;
  if (desired === "Hibernating" && status.powerState !== "Hibernating") return "Stopping";
  if (desired === "Running" && status.powerState !== "Running") return "Starting";
  return status.powerState;
}
