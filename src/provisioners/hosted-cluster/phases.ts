import { ABANDON_DEPROVISION_ANNOTATION, type HostedCluster, type NodePool } from "../../api/index.js";
import { nodePoolResource, secretResource } from "../../api/resources.js";
import { HostedClusterReason as Reason } from "../../api/reasons.js";
import { CANCELLED_PREFIX, jobId as stackJobId } from "../../queue/job.js";
import { isWorkerLost, retryDelayMs } from "../../queue/retry-schedule.js";
import type { StackJobData, StackOperation } from "../../queue/stack-job.js";
import { TerminalError } from "../../errors/index.js";
import { logger } from "../../runtime/logging.js";
import { desiredHostedStack, hostedProgramFor, validateHostedStack } from "./platform.js";
import type { HostedClusterScope, HostedStackJobResult, StackStatus } from "./scope.js";
import { HOSTED_CLUSTER_STACK_JOB } from "./stack-job.js";

const log = logger("hosted-cluster");
/** How often a deleting HostedCluster looks again at the NodePools it waits for (their deletion also wakes it). */
const NODE_POOLS_POLL_MS = 2_000;
const CANCEL_FOLLOW_MS = 2_000;
/** How often a control plane whose pods are not ready yet is looked at again (a refresh). */
const PODS_RECHECK_MS = 15_000;

function ref(hc: HostedCluster): string {
  return `${hc.metadata?.namespace}/${hc.metadata?.name}`;
}

export function desiredPowerState(hc: HostedCluster): "Running" | "Hibernating" {
  return hc.spec.powerState === "Hibernating" ? "Hibernating" : "Running";
}

/**
 * Create, hibernate, resume, repair: make the stack match the generation with one `up` at a time, as a
 * ClusterDeployment's stack is (the same job layer, queue and runner), and check for drift every resync.
 */
export async function reconcileNormal(scope: HostedClusterScope): Promise<void> {
  const { hc, deps } = scope;
  const program = hostedProgramFor(hc);
  validateHostedStack(hc, program, deps.config);
  const generation = hc.metadata!.generation ?? 1;
  if (!(await followOperation(scope))) return;
  const last = scope.status.stack;
  if (last?.result === "Failed" && last.type !== "destroy" && last.generation === generation) {
    if (isWorkerLost(last.message)) return retryFailed(scope, last);
    throw new TerminalError(
      Reason.OperationFailed,
      `${last.message ?? "the last run failed"}; change the spec to try again`,
    );
  }
  const { inputsHash } = desiredHostedStack(hc, program, deps.config);
  const applied =
    last?.result === "Succeeded" &&
    last.type !== "destroy" &&
    (last.generation === generation || last.inputsHash === inputsHash);
  if (!applied) return startOperation(scope, "up");
  if (scope.drift) {
    const suffix = `repair${Date.parse(last.finishedAt ?? "") || 0}`;
    return startOperation(scope, "up", suffix, { cause: Reason.DriftDetected, message: scope.drift });
  }
  const resyncMs = deps.config.controller.resyncSeconds * 1000;
  const sinceMs = scope.now.getTime() - Date.parse(last.finishedAt ?? scope.now.toISOString());
  // Pods not ready yet: look again soon with a refresh (reads the platform's word without changing anything).
  const lookAgainMs = scope.waitingForPods ? PODS_RECHECK_MS : resyncMs;
  if (lookAgainMs > 0 && sinceMs >= lookAgainMs)
    return startOperation(scope, "refresh", `r${Date.parse(last.finishedAt ?? "") || 0}`);
  if (lookAgainMs > 0) scope.requeueAfterMs = Math.max(1000, lookAgainMs - sinceMs);
}

/**
 * Deletion, in HyperShift's order: the NodePools naming the cluster first (deleted, then waited for), then the
 * control plane and its data (destroy), then the kubeconfig Secret. Registration holds its own finalizer until the
 * ManagedCluster is gone. Returns true when done. A destroy that fails is retried with backoff, and the
 * slipway.dev/abandon-deprovision annotation releases the cluster deliberately, so deletion always ends.
 */
export async function reconcileDelete(scope: HostedClusterScope): Promise<boolean> {
  const { hc } = scope;
  if (!(await nodePoolsGone(scope))) return false;
  const abandon = hc.metadata?.annotations?.[ABANDON_DEPROVISION_ANNOTATION] === "true";
  const last = scope.status.stack;
  if (!last || abandon) {
    if (!last)
      await scope.event(hc, "Normal", Reason.NothingToDestroy, "No stack was ever created: released at once");
    else
      await scope.event(
        hc,
        "Warning",
        Reason.DeprovisionAbandoned,
        `Released without destroying, as ${ABANDON_DEPROVISION_ANNOTATION} asks: its control plane and data may be left behind`,
      );
    await removeKubeconfigSecret(scope);
    return true;
  }
  if (last.type !== "destroy" && last.result === "InProgress") {
    const job = await scope.deps.queue.lookup(last.jobId);
    if (job.state === "active") {
      await scope.deps.queue.requestCancel(last.jobId, `the HostedCluster ${ref(hc)} is being deleted`);
      scope.job = job;
      scope.requeueAfterMs = CANCEL_FOLLOW_MS;
      return false;
    }
    if (job.state !== "missing") await scope.deps.queue.remove(last.jobId).catch(() => undefined);
  }
  if (last.type !== "destroy") {
    await startOperation(scope, "destroy");
    return false;
  }
  if (!(await followOperation(scope))) return false;
  if (scope.status.stack!.result === "Failed") {
    await retryFailed(scope, scope.status.stack!);
    return false;
  }
  await removeKubeconfigSecret(scope);
  return true;
}

/** Deletes the NodePools whose spec.clusterName is this cluster; true once none is left. */
async function nodePoolsGone(scope: HostedClusterScope): Promise<boolean> {
  const { hc, deps } = scope;
  const namespace = hc.metadata!.namespace!;
  const pools = (await deps.kube.list<NodePool>(nodePoolResource, { namespace })).items.filter(
    (pool) => pool.spec?.clusterName === hc.metadata!.name,
  );
  if (pools.length === 0) return true;
  scope.nodePoolsLeft = pools.map((pool) => pool.metadata!.name!);
  for (const pool of pools) {
    if (pool.metadata?.deletionTimestamp) continue;
    log.info(
      { HostedCluster: ref(hc), NodePool: pool.metadata!.name },
      "Deleting NodePool before the control plane",
    );
    await deps.kube.delete(nodePoolResource, namespace, pool.metadata!.name!).catch(() => undefined);
  }
  scope.requeueAfterMs = NODE_POOLS_POLL_MS;
  return false;
}

async function removeKubeconfigSecret(scope: HostedClusterScope): Promise<void> {
  const secret = scope.status.kubeconfig?.name;
  if (secret)
    await scope.deps.kube.delete(secretResource, scope.hc.metadata!.namespace, secret).catch(() => undefined);
}

/**
 * A failed job the controller retries itself, as a new job after the job layer's capped backoff: a destroy (giving
 * up would leave processes and data behind) or a job whose worker died on it too often.
 */
async function retryFailed(scope: HostedClusterScope, failed: StackStatus): Promise<void> {
  const count = (failed.retry?.count ?? 0) + 1;
  const { backoffMs, backoffCapMs } = scope.deps.config.worker;
  const nextAt =
    failed.retry?.nextAt ??
    new Date(
      Date.parse(failed.finishedAt ?? scope.now.toISOString()) +
        retryDelayMs(count, { baseMs: backoffMs, capMs: backoffCapMs }),
    ).toISOString();
  const failedAttempts = failed.retry?.failedAttempts ?? 1;
  const waitMs = Date.parse(nextAt) - scope.now.getTime();
  if (waitMs > 0) {
    failed.retry = { count: count - 1, failedAttempts, nextAt };
    scope.requeueAfterMs = waitMs;
    return;
  }
  await startOperation(scope, failed.type, `retry${count}`, {
    message: failed.message,
    retry: { count, failedAttempts },
  });
}

/** Follows the operation in status; true when nothing is in flight. A job Redis lost is queued again. */
async function followOperation(scope: HostedClusterScope): Promise<boolean> {
  const last = scope.status.stack;
  if (!last || last.result !== "InProgress") return true;
  const job = await scope.deps.queue.lookup(last.jobId);
  scope.job = job;
  switch (job.state) {
    case "missing":
      log.info(
        { HostedCluster: ref(scope.hc), jobId: last.jobId },
        "Job not found in Redis: enqueuing it again",
      );
      await scope.deps.queue.enqueue(
        jobData(scope.hc, last.type, last.generation, last.retry?.failedAttempts),
        last.jobId.split(".").slice(3).join(".") || undefined,
      );
      return false;
    case "waiting":
    case "delayed":
    case "active":
      if (job.progress) last.progress = job.progress;
      return false;
    case "completed":
      if (!job.result) return false;
      applyResult(scope, last, job.result);
      return true;
    case "failed":
      last.result = "Failed";
      last.finishedAt = (job.finishedAt ?? scope.now).toISOString();
      last.message = job.failedReason;
      if (last.type === "destroy" || isWorkerLost(last.message))
        last.retry = {
          count: last.retry?.count ?? 0,
          failedAttempts: (last.retry?.failedAttempts ?? 0) + Math.max(1, job.attemptsMade),
        };
      if (!job.failedReason?.startsWith(CANCELLED_PREFIX))
        await scope.event(
          scope.hc,
          "Warning",
          last.type === "destroy" ? Reason.DestroyFailed : Reason.OperationFailed,
          `${last.type} failed: ${job.failedReason ?? "unknown error"}`,
        );
      return true;
  }
}

/** Copies a finished job's result into status: endpoint, kubeconfig Secret, power state and its timestamps. */
function applyResult(scope: HostedClusterScope, last: StackStatus, result: HostedStackJobResult): void {
  const status = scope.status;
  last.result = "Succeeded";
  last.finishedAt = result.finishedAt;
  last.message = result.skipped ?? `${last.type} finished in ${(result.durationMs / 1000).toFixed(1)}s`;
  delete last.retry;
  if (last.progress)
    last.progress = { ...last.progress, resourcesDone: last.progress.resourcesTotal, percent: 100 };
  if (result.inputsHash) last.inputsHash = result.inputsHash;
  if (result.apiURL) {
    status.apiURL = result.apiURL;
    const url = URL.canParse(result.apiURL) ? new URL(result.apiURL) : undefined;
    if (url?.hostname && url.port)
      status.controlPlaneEndpoint = { host: url.hostname, port: Number(url.port) };
  }
  if (result.infraID) status.infraID = result.infraID;
  if (result.kubeconfigSecret) status.kubeconfig = { name: result.kubeconfigSecret };
  if (last.type === "destroy" || result.skipped) return;
  // Platforms that run the control plane as workloads say whether its pods are ready; the others say nothing.
  scope.waitingForPods =
    result.controlPlaneReady === false
      ? (result.controlPlaneMessage ?? "waiting for the control plane's pods")
      : undefined;
  const desired = desiredPowerState(scope.hc);
  const observed = result.powerState;
  if (last.type === "refresh" && observed && observed !== desired) {
    scope.drift = `the control plane is ${observed} but the spec asks for ${desired}`;
    void scope.event(scope.hc, "Warning", Reason.DriftDetected, scope.drift);
    return;
  }
  if (last.type !== "up") return;
  const previous = status.powerState;
  status.powerState =
    observed === "Hibernating" ? "Hibernating" : observed === "Running" ? "Running" : desired;
  status.version = scope.hc.spec.release.version;
  const at = result.finishedAt;
  if (status.powerState === "Running") status.provisionedAt ??= at;
  if (status.powerState === "Running" && previous && !["Running", "Provisioning"].includes(previous))
    status.lastResumedAt = at;
  if (status.powerState === "Hibernating" && previous !== "Hibernating") status.lastHibernatedAt = at;
  void scope.event(
    scope.hc,
    "Normal",
    status.powerState === "Hibernating" ? Reason.Hibernating : Reason.ControlPlaneAvailable,
    last.message,
  );
}

async function startOperation(
  scope: HostedClusterScope,
  type: StackOperation,
  suffix?: string,
  why?: Pick<StackStatus, "cause" | "message" | "retry">,
): Promise<void> {
  const { hc, status } = scope;
  const generation = hc.metadata!.generation ?? 1;
  const data = jobData(hc, type, generation, why?.retry?.failedAttempts);
  const jobId = stackJobId(data, suffix);
  log.info({ HostedCluster: ref(hc), jobId }, `Enqueuing ${type} for generation ${generation}`);
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
  // A pass that read a cache older than its own last status write finds the job already done (BullMQ kept the
  // duplicate id out): take its result rather than report the work as started again.
  const existing = await scope.deps.queue.lookup(jobId);
  if (existing.state === "completed" && existing.result) {
    scope.job = existing;
    applyResult(scope, status.stack, existing.result);
    return;
  }
  if (type === "destroy") status.powerState = "Deprovisioning";
  else if (type === "up") {
    const desired = desiredPowerState(hc);
    if (!status.provisionedAt) status.powerState = desired === "Hibernating" ? "Stopping" : "Provisioning";
    else if (desired === "Hibernating" && status.powerState !== "Hibernating") status.powerState = "Stopping";
    else if (desired === "Running" && status.powerState !== "Running") status.powerState = "Starting";
  }
  if (!previous || previous.type !== type) {
    await scope.event(
      hc,
      "Normal",
      type === "destroy" ? Reason.Deprovisioning : type === "refresh" ? Reason.Refreshing : Reason.Applying,
      `Enqueued ${type} for generation ${generation} (job ${jobId})`,
    );
  }
}

function jobData(
  hc: HostedCluster,
  operation: StackOperation,
  generation: number,
  priorAttempts?: number,
): StackJobData {
  return {
    type: HOSTED_CLUSTER_STACK_JOB,
    kind: "HostedCluster",
    namespace: hc.metadata!.namespace!,
    name: hc.metadata!.name!,
    uid: hc.metadata!.uid!,
    generation,
    operation,
    ...(priorAttempts ? { priorAttempts } : {}),
  };
}
