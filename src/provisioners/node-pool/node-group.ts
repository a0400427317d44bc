/**
 * Cloud NodePools (aws, azure, gcp): the provider's node group of self-managed machines, made by the platform's
 * NodePool program through the same job layer and Pulumi runner as a ClusterDeployment or a HostedCluster. Its
 * machines join the management-mode HostedCluster's API with the pool's bootstrap token (join-token.ts). A new
 * size (spec.replicas, the autoscaler's decision) or spec is one more `up`; deletion destroys the group.
 */
import type { StackStatus } from "../../api/operation-status.js";
import { NodePoolReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import { CANCELLED_PREFIX, jobId as stackJobId } from "../../queue/job.js";
import { retryDelayMs } from "../../queue/retry-schedule.js";
import type { StackJobData, StackOperation } from "../../queue/stack-job.js";
import type { ReconcileResult } from "../../runtime/reconciler.js";
import { stackProgramFor } from "../../../stacks/index.js";
import { nodeResource, type HostedNode } from "./hosted-objects.js";
import { ensureJoinToken, registerJoinToken } from "./join-token.js";
import { desiredNodeGroupStack, nodeGroupReplicas } from "./node-group-stack.js";
import { NODE_POOL_LABEL } from "./nodes.js";
import type { NodePoolScope } from "./scope.js";
import { platformOf } from "../../api/platform.js";

/** The job type of a cloud NodePool's Pulumi runs (queue "pulumi"). */
export const NODE_POOL_STACK_JOB = "node-pool-stack";
/** While a job runs, look again this often (job events usually wake the pool first). */
const FOLLOW_MS = 15_000;

/** Make the node group match the spec and size: one `up` at a time, followed through status.stack. */
export async function reconcileNodeGroup(scope: NodePoolScope): Promise<ReconcileResult> {
  const { pool, deps } = scope;
  const cluster = scope.cluster!;
  const token = await ensureJoinToken(deps.kube, pool);
  // The machines can join only once the hosted API knows the token; it can only learn it while it serves.
  if (scope.hosted) await registerJoinToken(scope.hosted, token);
  scope.desired = nodeGroupReplicas(pool);
  const program = stackProgramFor("NodePool", platformOf(pool.spec) ?? "unknown");
  const { inputsHash } = desiredNodeGroupStack(pool, cluster, scope.join!, program);
  if (!(await followOperation(scope))) return { requeueAfter: FOLLOW_MS };
  const last = scope.stack;
  if (last?.result === "Failed" && last.type === "up" && last.inputsHash === inputsHash)
    throw new TerminalError(
      Reason.OperationFailed,
      `${last.message ?? "the last up failed"}; change the spec to try again`,
    );
  if (!(last?.result === "Succeeded" && last.type === "up" && last.inputsHash === inputsHash)) {
    await startOperation(scope, "up", inputsHash);
    return { requeueAfter: FOLLOW_MS };
  }
  await countReadyNodes(scope);
  return { requeueAfter: deps.healthIntervalMs };
}

/** Deletion: cancel nothing (an up finishes first: a cloud create is not safe to interrupt), then destroy. */
export async function deleteNodeGroup(scope: NodePoolScope): Promise<ReconcileResult | void> {
  const last = scope.stack;
  if (!last) return; // no stack was ever made
  if (!(await followOperation(scope))) return { requeueAfter: FOLLOW_MS };
  if (scope.stack!.type !== "destroy") {
    await startOperation(scope, "destroy");
    return { requeueAfter: FOLLOW_MS };
  }
  if (scope.stack!.result === "Failed") return retryDestroy(scope, scope.stack!);
  scope.deleted = true;
}

async function retryDestroy(scope: NodePoolScope, failed: StackStatus): Promise<ReconcileResult> {
  const count = (failed.retry?.count ?? 0) + 1;
  const { backoffMs, backoffCapMs } = scope.deps.config.worker;
  const nextAt =
    failed.retry?.nextAt ??
    new Date(
      Date.parse(failed.finishedAt ?? scope.now.toISOString()) +
        retryDelayMs(count, { baseMs: backoffMs, capMs: backoffCapMs }),
    ).toISOString();
  const waitMs = Date.parse(nextAt) - scope.now.getTime();
  if (waitMs > 0) {
    failed.retry = { count: count - 1, failedAttempts: failed.retry?.failedAttempts ?? 1, nextAt };
    return { requeueAfter: waitMs };
  }
  await startOperation(scope, "destroy", `retry${count}`, { retry: { count, failedAttempts: count } });
  return { requeueAfter: FOLLOW_MS };
}

/** Nodes of the pool Ready in the hosted API (the machines that joined), when it answers. */
async function countReadyNodes(scope: NodePoolScope): Promise<void> {
  if (!scope.hosted) return;
  const nodes = (
    await scope.hosted.list<HostedNode>(nodeResource, {
      labelSelector: `${NODE_POOL_LABEL}=${scope.pool.metadata.name!}`,
    })
  ).items;
  scope.nodes = nodes;
}

/** Follows the operation in status; true when nothing is in flight. A job Redis lost is queued again. */
async function followOperation(scope: NodePoolScope): Promise<boolean> {
  const last = scope.stack;
  if (!last || last.result !== "InProgress") return true;
  const job = await scope.deps.stacks.lookup(last.jobId);
  switch (job.state) {
    case "missing":
      await scope.deps.stacks.enqueue(
        jobData(scope, last.type),
        last.jobId.split(".").slice(3).join(".") || undefined,
      );
      return false;
    case "waiting":
    case "delayed":
    case "active":
      if (job.progress) last.progress = job.progress;
      return false;
    case "completed": {
      const result = job.result;
      if (!result) return false;
      last.result = "Succeeded";
      last.finishedAt = result.finishedAt;
      last.message = result.skipped ?? `${last.type} finished in ${(result.durationMs / 1000).toFixed(1)}s`;
      delete last.retry;
      if (last.progress)
        last.progress = { ...last.progress, resourcesDone: last.progress.resourcesTotal, percent: 100 };
      if (result.inputsHash) last.inputsHash = result.inputsHash;
      if (last.type === "up") scope.groupReplicas = result.groupReplicas;
      return true;
    }
    case "failed":
      last.result = "Failed";
      last.finishedAt = (job.finishedAt ?? scope.now).toISOString();
      last.message = job.failedReason;
      if (last.type === "destroy")
        last.retry = {
          count: last.retry?.count ?? 0,
          failedAttempts: (last.retry?.failedAttempts ?? 0) + Math.max(1, job.attemptsMade),
        };
      if (!job.failedReason?.startsWith(CANCELLED_PREFIX))
        await scope.context.events.record(scope.pool, {
          type: "Warning",
          reason: last.type === "destroy" ? Reason.DestroyFailed : Reason.OperationFailed,
          message: `${last.type} of the node group failed: ${job.failedReason ?? "unknown error"}`,
        });
      return true;
  }
}

async function startOperation(
  scope: NodePoolScope,
  type: StackOperation,
  suffix?: string,
  why?: Pick<StackStatus, "retry">,
): Promise<void> {
  const { pool } = scope;
  const generation = pool.metadata.generation ?? 1;
  const data = jobData(scope, type);
  // An up per inputs: a new size under the same generation (the autoscaler's) is a new job.
  const jobSuffix = type === "up" && suffix ? suffix.slice(0, 12) : suffix;
  const id = stackJobId(data, jobSuffix);
  scope.context.log.info({ jobId: id }, `Enqueuing ${type} of the node group for generation ${generation}`);
  await scope.deps.stacks.enqueue(data, jobSuffix);
  scope.stack = {
    type,
    jobId: id,
    generation,
    startedAt: scope.now.toISOString(),
    result: "InProgress",
    ...why,
  };
  await scope.context.events.record(pool, {
    type: "Normal",
    reason: Reason.Applying,
    message: `Enqueued ${type} of the ${platformOf(pool.spec) ?? ""} node group (job ${id})`,
  });
}

function jobData(scope: NodePoolScope, operation: StackOperation): StackJobData {
  const { pool } = scope;
  return {
    type: NODE_POOL_STACK_JOB,
    kind: "NodePool",
    namespace: pool.metadata.namespace!,
    name: pool.metadata.name!,
    uid: pool.metadata.uid!,
    generation: pool.metadata.generation ?? 1,
    operation,
  };
}
