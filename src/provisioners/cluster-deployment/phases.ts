import { createHash } from "node:crypto";
import { ABANDON_DEPROVISION_ANNOTATION, type ClusterDeployment } from "../../api/index.js";
import { secretResource } from "../../api/resources.js";
import { desiredStack, InvalidSpecError, platformFor, platformName } from "./platform.js";
import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import { logger } from "../../runtime/logging.js";
import { CANCELLED_PREFIX, jobId as stackJobId } from "../../queue/job.js";
import {
  stackNameFor,
  type StackJobData,
  type StackJobResult,
  type StackOperation,
} from "../../queue/stack-job.js";
import type { ClusterDeploymentScope, StackStatus } from "./scope.js";
import { CLUSTER_DEPLOYMENT_STACK_JOB } from "./stack-job.js";
import { retriedByController, retryFailedOperation } from "./retry.js";
import { checkProviderPlugins } from "./provider-plugins.js";

const log = logger("cluster-deployment");
const CREDENTIALS_RETRY_MS = 10_000;
/** How often a resource looks again at an operation it cancelled. */
const CANCEL_FOLLOW_MS = 2_000;

function ref(cd: ClusterDeployment): string {
  return `${cd.metadata?.namespace}/${cd.metadata?.name}`;
}

function desiredPowerState(cd: ClusterDeployment): "Running" | "Hibernating" {
  return cd.spec.powerState === "Hibernating" ? "Hibernating" : "Running";
}

/** Provision, hibernate, resume, repair: make the stack match generation G with one `up` at a time. */
export async function reconcileNormal(scope: ClusterDeploymentScope): Promise<void> {
  const { cd, deps } = scope;
  const adapter = platformFor(cd);
  if (!adapter) {
    throw new TerminalError(
      Reason.UnsupportedPlatform,
      `platform "${platformName(cd)}" has no stack in this build of Slipway`,
    );
  }
  try {
    adapter.validate(cd, deps.config);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    throw new TerminalError(err.reason, err.message);
  }
  checkProviderPlugins(scope, adapter.name);
  const credentials = adapter.credentialsSecretName(cd);
  const secret =
    credentials && (await deps.kube.getIfExists(secretResource, cd.metadata!.namespace, credentials));
  if (credentials && !secret) {
    // Nothing watches that Secret: look again every few seconds.
    throw new TerminalError(
      Reason.CredentialsSecretMissing,
      `Secret ${cd.metadata!.namespace}/${credentials} named by the platform's credentialsRef does not exist: create it`,
      { requeueAfterMs: CREDENTIALS_RETRY_MS },
    );
  }
  const missingKeys = secret ? adapter.missingCredentialKeys(secret) : [];
  if (missingKeys.length > 0) {
    throw new TerminalError(
      Reason.CredentialsKeysMissing,
      `Secret ${cd.metadata!.namespace}/${credentials} lacks ${missingKeys.join(", ")}: add them to it`,
      { requeueAfterMs: CREDENTIALS_RETRY_MS },
    );
  }

  const generation = cd.metadata!.generation ?? 1;
  if (await refreshGivesWay(scope, generation)) return;
  if (!(await followOperation(scope))) return; // a job is still running
  const last = scope.status.stack;
  if (last?.result === "Failed" && last.generation === generation && last.type === "up") {
    if (retriedByController(last)) {
      await retryFailedOperation(scope, last, startOperation);
      return;
    }
    throw new TerminalError(
      Reason.OperationFailed,
      `${last.message ?? "the last run failed"}; change the spec to try again`,
    );
  }
  // A new generation whose stack inputs are those already applied (a pool claimed the cluster) needs no run.
  const { inputsHash } = desiredStack(adapter, cd, deps.config);
  const applied =
    last?.result === "Succeeded" &&
    last.type !== "destroy" &&
    (last.generation === generation || last.inputsHash === inputsHash);
  if (!applied) {
    await startOperation(scope, "up");
    return;
  }
  if (scope.drift) {
    await startOperation(scope, "up", `repair${Date.parse(last!.finishedAt ?? "") || 0}`, {
      cause: Reason.DriftDetected,
      message: scope.drift,
    });
    return;
  }
  const resyncMs = spreadResync(deps.config.controller.resyncSeconds * 1000, cd.metadata!.uid!);
  const sinceMs = scope.now.getTime() - Date.parse(last!.finishedAt ?? scope.now.toISOString());
  if (resyncMs > 0 && sinceMs >= resyncMs) {
    await startOperation(scope, "refresh", `r${Date.parse(last!.finishedAt ?? "") || 0}`);
    return;
  }
  if (resyncMs > 0) scope.requeueAfterMs = Math.max(1000, resyncMs - sinceMs);
}

/**
 * The resync interval, 10% shorter or longer by the resource's uid: clusters created together (a pool, a DR
 * fleet) spread their drift checks over time instead of refreshing all at once, every interval.
 */
export function spreadResync(resyncMs: number, uid: string): number {
  const unit = createHash("sha256").update(uid).digest().readUInt16BE(0) / 0xffff; // 0..1, fixed per resource
  return Math.round(resyncMs * (0.9 + 0.2 * unit));
}

/**
 * A periodic refresh still waiting for a worker when the spec changes is withdrawn, and the `up` for the new
 * generation queued instead: people's changes never wait behind a drift check. A running one is cancelled (it
 * only reads; the up refreshes what it changes anyway) and the up follows once it ended. Returns true when it
 * queued the up.
 */
async function refreshGivesWay(scope: ClusterDeploymentScope, generation: number): Promise<boolean> {
  const last = scope.status.stack;
  if (last?.type !== "refresh" || last.result !== "InProgress" || last.generation === generation)
    return false;
  const job = await scope.deps.queue.lookup(last.jobId);
  if (job.state === "active") {
    await scope.deps.queue.requestCancel(
      last.jobId,
      `generation ${generation} of ${ref(scope.cd)} changed the spec: the drift check gives way to its up`,
    );
    scope.requeueAfterMs = CANCEL_FOLLOW_MS;
    return false; // followed below until it ends; then the up runs
  }
  if (job.state !== "waiting" && job.state !== "delayed") return false;
  if (!(await scope.deps.queue.withdraw(last.jobId))) return false; // a worker took it meanwhile: follow it
  log.info(
    { ClusterDeployment: ref(scope.cd), jobId: last.jobId },
    "Withdrew a waiting refresh for the new generation",
  );
  await startOperation(scope, "up");
  return true;
}

/** Destroy the stack (unless preserveOnDelete), then the finalizer may go. Returns true when done. */
export async function reconcileDelete(scope: ClusterDeploymentScope): Promise<boolean> {
  const { cd } = scope;
  if (cd.spec.preserveOnDelete) {
    log.info({ ClusterDeployment: ref(cd) }, "preserveOnDelete is set: leaving the cluster in place");
    return true;
  }
  const abandon = cd.metadata?.annotations?.[ABANDON_DEPROVISION_ANNOTATION] === "true";
  const last = scope.status.stack;
  if (!last || abandon) {
    // No job ever ran (the spec stalled before one could): no stack exists, nothing to destroy.
    if (!last) {
      await scope.deps.event(
        cd,
        "Normal",
        Reason.NothingToDestroy,
        "No stack was ever created: released at once",
      );
    } else {
      const stack = desiredStackName(cd);
      log.warn(
        { ClusterDeployment: ref(cd), stack },
        "abandon-deprovision is set: releasing without destroy",
      );
      await scope.deps.event(
        cd,
        "Warning",
        Reason.DeprovisionAbandoned,
        `Released without destroying, as ${ABANDON_DEPROVISION_ANNOTATION} asks: stack ${stack} and everything it ` +
          `created (${platformName(cd)} cluster ${cd.spec.clusterName}${scope.status.infraID ? `, infraID ${scope.status.infraID}` : ""}) may be left behind`,
      );
    }
    await removeKubeconfigSecret(scope);
    return true;
  }
  if (last.type !== "destroy" && last.result === "InProgress") {
    const job = await scope.deps.queue.lookup(last.jobId);
    if (job.state === "active") {
      await cancelForDelete(scope, last);
      scope.job = job;
      return false; // a stack runs one operation at a time: the destroy follows once the cancelled one ends
    }
    if (job.state !== "missing") await scope.deps.queue.remove(last.jobId).catch(() => undefined);
    // Missing: Redis lost it, and a worker may still run it. Ask it to stop too (it also sees the delete on the hub).
    else
      await scope.deps.queue.requestCancel(last.jobId, `the ClusterDeployment ${ref(cd)} is being deleted`);
  }
  if (last.type !== "destroy") {
    await startOperation(scope, "destroy");
    return false;
  }
  if (!(await followOperation(scope))) return false;
  const done = scope.status.stack!;
  if (done.result === "Failed") {
    // A cluster left running costs money: a destroy is retried forever, with backoff.
    await retryFailedOperation(scope, done, startOperation);
    return false;
  }
  await removeKubeconfigSecret(scope);
  return true;
}

/**
 * A delete does not wait for a running up (a provision can take a day): as Hive kills the install and
 * deprovisions, the up is cancelled (its CLI records what finished and releases the lock, its providers end
 * their in-flight steps) and the destroy follows. Asked again on every pass: the request lives in Redis, which
 * may lose it. A cancelled job is never retried (the job layer fails it for good), and a job that a worker takes
 * again after its worker died skips itself once the resource is being deleted (stack-job.ts).
 */
async function cancelForDelete(scope: ClusterDeploymentScope, running: StackStatus): Promise<void> {
  const { cd } = scope;
  const first = !cd.status?.conditions?.some((c) => c.reason === Reason.CancellingForDelete);
  if (first) {
    log.info(
      { ClusterDeployment: ref(cd), jobId: running.jobId },
      `Cancelling the running ${running.type} for the delete; destroy follows`,
    );
    await scope.deps.event(
      cd,
      "Normal",
      Reason.CancellingForDelete,
      `Cancelling the running ${running.type} (job ${running.jobId}); destroy follows`,
    );
  }
  await scope.deps.queue.requestCancel(running.jobId, `the ClusterDeployment ${ref(cd)} is being deleted`);
  scope.requeueAfterMs = CANCEL_FOLLOW_MS;
}

async function removeKubeconfigSecret(scope: ClusterDeploymentScope): Promise<void> {
  const secret = scope.status.adminKubeconfigSecretRef?.name;
  if (secret)
    await scope.deps.kube.delete(secretResource, scope.cd.metadata!.namespace, secret).catch(() => undefined);
}

function desiredStackName(cd: ClusterDeployment): string {
  return stackNameFor({
    namespace: cd.metadata!.namespace!,
    name: cd.metadata!.name!,
    uid: cd.metadata!.uid!,
  });
}

/**
 * Follows the operation recorded in status. Returns true when nothing is in flight any more (finished now or
 * before). A job missing from Redis (flushed, or expired) is queued again under the same id: the CRs are the
 * source of truth and rebuild the queue.
 */
async function followOperation(scope: ClusterDeploymentScope): Promise<boolean> {
  const last = scope.status.stack;
  if (!last || last.result !== "InProgress") return true;
  const job = await scope.deps.queue.lookup(last.jobId);
  scope.job = job;
  switch (job.state) {
    case "missing":
      log.info(
        { ClusterDeployment: ref(scope.cd), jobId: last.jobId },
        "Job not found in Redis: enqueuing it again",
      );
      await scope.deps.queue.enqueue(
        jobData(scope.cd, last.type, last.generation, last.retry?.failedAttempts),
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
      applyResult(scope, last, job.result);
      return true;
    case "failed": {
      last.result = "Failed";
      last.finishedAt = (job.finishedAt ?? scope.now).toISOString();
      last.message = job.failedReason;
      const destroy = last.type === "destroy";
      if (retriedByController(last)) {
        const before = last.retry?.failedAttempts ?? 0;
        last.retry = {
          count: last.retry?.count ?? 0,
          failedAttempts: before + Math.max(1, job.attemptsMade),
        };
      }
      // A run cancelled on purpose (a drift check giving way to a spec change) is no failure to warn about.
      if (!job.failedReason?.startsWith(CANCELLED_PREFIX))
        await scope.deps.event(
          scope.cd,
          "Warning",
          destroy ? Reason.DestroyFailed : Reason.OperationFailed,
          `${last.type} failed: ${job.failedReason ?? "unknown error"}`,
        );
      return true;
    }
  }
}

function applyResult(scope: ClusterDeploymentScope, last: StackStatus, result: StackJobResult): void {
  const status = scope.status;
  last.result = "Succeeded";
  last.finishedAt = result.finishedAt;
  last.message =
    result.skipped ??
    `${last.type} finished in ${(result.durationMs / 1000).toFixed(1)}s${result.note ? `; ${result.note}` : ""}`;
  delete last.retry;
  if (last.progress)
    last.progress = { ...last.progress, resourcesDone: last.progress.resourcesTotal, percent: 100 };
  if (result.apiURL) status.apiURL = result.apiURL;
  if (result.infraID) status.infraID = result.infraID;
  if (result.inputsHash) last.inputsHash = result.inputsHash;
  if (result.kubeconfigSecret) status.adminKubeconfigSecretRef = { name: result.kubeconfigSecret };
  const previous = status.powerState;
  if (result.powerState) {
    if (last.type === "refresh" && result.powerState !== desiredPowerState(scope.cd)) {
      scope.drift = `the cluster is ${result.powerState} but the spec asks for ${desiredPowerState(scope.cd)}`;
      status.powerState = "Unknown";
      void scope.deps.event(scope.cd, "Warning", Reason.DriftDetected, scope.drift);
      return;
    }
    const drift = last.type === "refresh" ? driftBeyondPowerState(result) : undefined;
    if (drift) {
      // Running as asked, but not as the spec has it: the next up repairs it.
      scope.drift = drift;
      void scope.deps.event(scope.cd, "Warning", Reason.DriftDetected, drift);
    }
    status.powerState =
      result.powerState === "Hibernating"
        ? "Hibernating"
        : result.powerState === "Running"
          ? "Running"
          : "Unknown";
  } else if (last.type === "up" && !result.skipped) {
    status.powerState = desiredPowerState(scope.cd);
  }
  const at = result.finishedAt;
  if (last.type === "up") {
    status.provisionedAt ??= at;
    if (status.powerState === "Running" && previous !== "Running" && previous !== "Provisioning")
      status.lastResumedAt = at;
    if (status.powerState === "Hibernating" && previous !== "Hibernating") status.lastHibernatedAt = at;
    void scope.deps.event(scope.cd, "Normal", powerEventReason(status.powerState), last.message);
  }
}

/**
 * What a refresh found changed outside Slipway besides the power state: what the platform says (the stack output
 * `drift`, a cloud node pool resized, say), and resources the refresh found deleted (a node group deleted in the
 * cloud's console). Undefined when nothing.
 */
function driftBeyondPowerState(result: StackJobResult): string | undefined {
  const deleted = result.resourceChanges.delete ?? 0;
  const words = [
    result.drift,
    deleted > 0
      ? `${deleted} resource${deleted === 1 ? " was" : "s were"} deleted outside Slipway`
      : undefined,
  ].filter(Boolean);
  return words.length > 0 ? words.join("; ") : undefined;
}

async function startOperation(
  scope: ClusterDeploymentScope,
  type: StackOperation,
  suffix?: string,
  why?: Pick<StackStatus, "cause" | "message" | "retry">,
): Promise<void> {
  const { cd, status } = scope;
  const generation = cd.metadata!.generation ?? 1;
  const data = jobData(cd, type, generation, why?.retry?.failedAttempts);
  const jobId = stackJobId(data, suffix);
  log.info({ ClusterDeployment: ref(cd), jobId }, `Enqueuing ${type} for generation ${generation}`);
  await scope.deps.queue.enqueue(data, suffix);
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
  const existing = await scope.deps.queue.lookup(jobId);
  if (existing.state === "completed" && existing.result) {
    scope.job = existing;
    applyResult(scope, status.stack, existing.result);
    return;
  }
  if (type === "destroy") status.powerState = "Deprovisioning";
  else if (type === "up") {
    const desired = desiredPowerState(cd);
    if (!status.provisionedAt) status.powerState = "Provisioning";
    else if (desired === "Hibernating" && status.powerState !== "Hibernating") status.powerState = "Stopping";
    else if (desired === "Running" && status.powerState !== "Running") status.powerState = "Starting";
  }
  if (!previous || previous.type !== type) {
    await scope.deps.event(
      cd,
      "Normal",
      type === "destroy" ? Reason.Deprovisioning : type === "refresh" ? Reason.Refreshing : Reason.Applying,
      `Enqueued ${type} for generation ${generation} (job ${jobId})`,
    );
  }
}

function jobData(
  cd: ClusterDeployment,
  operation: StackOperation,
  generation: number,
  priorAttempts?: number,
): StackJobData {
  return {
    type: CLUSTER_DEPLOYMENT_STACK_JOB,
    kind: "ClusterDeployment",
    namespace: cd.metadata!.namespace!,
    name: cd.metadata!.name!,
    uid: cd.metadata!.uid!,
    generation,
    operation,
    ...(priorAttempts ? { priorAttempts } : {}),
  };
}

function powerEventReason(powerState: string | undefined): string {
  if (powerState === "Running") return Reason.Running;
  if (powerState === "Hibernating") return Reason.Hibernating;
  return powerState === undefined ? Reason.Up : Reason.Unknown;
}

/** The part of a job id after `<uid>.g<generation>.<operation>`, so a re-enqueue keeps the same id. */
function suffixOf(jobId: string): string | undefined {
  const parts = jobId.split(".");
  return parts.length > 3 ? parts.slice(3).join(".") : undefined;
}
