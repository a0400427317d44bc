/**
 * Deleting a stack-backed resource: cancel what runs, destroy the stack (retried until it succeeds), or release it
 * without a destroy when no stack was ever created or the abandon-deprovision annotation asks; then the Secret the
 * worker wrote for it goes. What the kind does first (a HostedCluster's NodePools) or instead (preserveOnDelete) is
 * its own phase, before this one.
 */
import { ABANDON_DEPROVISION_ANNOTATION, type KubeObject } from "../../api/index.js";
import { secretResource } from "../../api/resources.js";
import type { Condition } from "../../runtime/conditions.js";
import { logger } from "../../runtime/logging.js";
import type { StackResourceKind, StackScope, StackStatus } from "./kind.js";
import { followOperation, refOf, retryFailedOperation, startOperation } from "./operations.js";

const log = logger("stack-resource");
/** How often a resource looks again at an operation it cancelled. */
export const CANCEL_FOLLOW_MS = 2_000;

/** Destroys the stack, then the finalizer may go. Returns true when done. */
export async function deleteStack<O extends KubeObject, S extends StackScope>(
  kind: StackResourceKind<O, S>,
  scope: S,
): Promise<boolean> {
  const object = kind.object(scope);
  const abandon = object.metadata?.annotations?.[ABANDON_DEPROVISION_ANNOTATION] === "true";
  const last = scope.status.stack;
  if (!last || abandon) {
    // No job ever ran (the spec stalled before one could): no stack exists, nothing to destroy.
    if (!last) {
      await kind.event(
        scope,
        "Normal",
        kind.reasons.NothingToDestroy,
        "No stack was ever created: released at once",
      );
    } else {
      log.warn({ [kind.kind]: refOf(object) }, "abandon-deprovision is set: releasing without destroy");
      await kind.event(
        scope,
        "Warning",
        kind.reasons.DeprovisionAbandoned,
        `Released without destroying, as ${ABANDON_DEPROVISION_ANNOTATION} asks: ${kind.leftBehind(scope)}`,
      );
    }
    await removeWrittenSecret(kind, scope);
    return true;
  }
  if (last.type !== "destroy" && last.result === "InProgress") {
    const queue = kind.queue(scope);
    const job = await queue.lookup(last.jobId);
    if (job.state === "active") {
      await cancelForDelete(kind, scope, last);
      scope.job = job;
      return false; // a stack runs one operation at a time: the destroy follows once the cancelled one ends
    }
    if (job.state !== "missing") await queue.remove(last.jobId).catch(() => undefined);
    // Missing: Redis lost it, and a worker may still run it. Ask it to stop too (it also sees the delete on the hub).
    else await queue.requestCancel(last.jobId, `the ${kind.kind} ${refOf(object)} is being deleted`);
  }
  if (last.type !== "destroy") {
    await startOperation(kind, scope, "destroy");
    return false;
  }
  if (!(await followOperation(kind, scope))) return false;
  const done = scope.status.stack!;
  if (done.result === "Failed") {
    // A resource left running costs money: a destroy is retried forever, with backoff.
    await retryFailedOperation(kind, scope, done);
    return false;
  }
  await removeWrittenSecret(kind, scope);
  return true;
}

/**
 * A delete does not wait for a running up (a provision can take a day): as Hive kills the install and
 * deprovisions, the up is cancelled (its CLI records what finished and releases the lock, its providers end
 * their in-flight steps) and the destroy follows. Asked again on every pass: the request lives in Redis, which
 * may lose it. A cancelled job is never retried (the job layer fails it for good), and a job that a worker takes
 * again after its worker died skips itself once the resource is being deleted (stack-job.ts).
 */
async function cancelForDelete<O extends KubeObject, S extends StackScope>(
  kind: StackResourceKind<O, S>,
  scope: S,
  running: StackStatus,
): Promise<void> {
  const object = kind.object(scope);
  const conditions = (object as { status?: { conditions?: Condition[] } }).status?.conditions;
  const announced = conditions?.some((c) => c.reason === kind.reasons.CancellingForDelete);
  if (!announced) {
    log.info(
      { [kind.kind]: refOf(object), jobId: running.jobId },
      `Cancelling the running ${running.type} for the delete; destroy follows`,
    );
    await kind.event(
      scope,
      "Normal",
      kind.reasons.CancellingForDelete,
      `Cancelling the running ${running.type} (job ${running.jobId}); destroy follows`,
    );
  }
  await kind.queue(scope).requestCancel(running.jobId, `the ${kind.kind} ${refOf(object)} is being deleted`);
  scope.requeueAfterMs = CANCEL_FOLLOW_MS;
}

async function removeWrittenSecret<O extends KubeObject, S extends StackScope>(
  kind: StackResourceKind<O, S>,
  scope: S,
): Promise<void> {
  const secret = kind.writtenSecretName?.(scope);
  if (secret)
    await kind
      .kube(scope)
      .delete(secretResource, kind.object(scope).metadata!.namespace, secret)
      .catch(() => undefined);
}
