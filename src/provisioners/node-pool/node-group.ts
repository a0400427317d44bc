/**
 * Cloud NodePools (aws, azure, gcp): the provider's node group of self-managed machines, made by the platform's
 * NodePool program through the same job layer, Pulumi runner and stack phases (../stack-resource) as a
 * ClusterDeployment or a HostedCluster. Its machines join the management-mode HostedCluster's API with the pool's
 * bootstrap token (join-token.ts). A new size (spec.replicas, the autoscaler's decision) or spec is one more `up`;
 * deletion destroys the group.
 */
import type { NodePool } from "../../api/node-pool.js";
import { platformOf } from "../../api/platform.js";
import { NodePoolReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import type { ReconcileResult } from "../../runtime/reconciler.js";
import { stackProgramFor } from "../../../stacks/index.js";
import {
  afterDeletePass,
  afterNormalPass,
  deleteStack,
  followOperation,
  retriedByController,
  retryFailedOperation,
  startOperation,
  type StackResourceKind,
} from "../stack-resource/index.js";
import { nodeResource, type HostedNode } from "./hosted-objects.js";
import { ensureJoinToken, registerJoinToken, unregisterJoinToken } from "./join-token.js";
import { desiredNodeGroupStack, nodeGroupReplicas } from "./node-group-stack.js";
import { NODE_POOL_LABEL } from "./nodes.js";
import type { NodeGroupJobResult, NodePoolScope } from "./scope.js";

/** The job type of a cloud NodePool's Pulumi runs (queue "pulumi"). */
export const NODE_POOL_STACK_JOB = "node-pool-stack";
/** An up per inputs: a new size under the same generation (the autoscaler's) is a new job. */
const HASH_SUFFIX_LENGTH = 12;

/** A cloud NodePool as a stack-backed resource: what the shared stack phases need of it. */
export const nodeGroupStack: StackResourceKind<NodePool, NodePoolScope> = {
  kind: "NodePool",
  jobType: NODE_POOL_STACK_JOB,
  reasons: Reason,
  object: (scope) => scope.pool,
  kube: (scope) => scope.deps.kube,
  queue: (scope) => scope.deps.stacks,
  config: (scope) => scope.deps.config,
  event: (scope, type, reason, message) => scope.context.events.record(scope.pool, { type, reason, message }),
  applyResult(scope, last, result: NodeGroupJobResult) {
    if (last.type === "up" && result.groupReplicas !== undefined) scope.groupReplicas = result.groupReplicas;
  },
  leftBehind: () => "its node group's machines may be left running in the cloud",
};

/** Make the node group match the spec and size: one `up` at a time, followed in status.stack. */
export async function reconcileNodeGroup(scope: NodePoolScope): Promise<ReconcileResult> {
  const { pool, deps } = scope;
  const token = await ensureJoinToken(deps.kube, pool);
  // The machines can join only once the hosted API knows the token; it can only learn it while it serves.
  if (scope.hosted) await registerJoinToken(scope.hosted, token);
  scope.desired = nodeGroupReplicas(pool);
  const program = stackProgramFor("NodePool", platformOf(pool.spec) ?? "unknown");
  const { inputsHash } = desiredNodeGroupStack(
    pool,
    scope.cluster!,
    { ...scope.join!, tokenID: token.id },
    program,
  );
  const suffix = inputsHash.slice(0, HASH_SUFFIX_LENGTH);
  if (!(await followOperation(nodeGroupStack, scope))) return afterNormalPass(scope);
  const last = scope.status.stack;
  if (last?.result === "Failed" && last.type === "up") {
    if (retriedByController(last)) {
      await retryFailedOperation(nodeGroupStack, scope, last);
      return afterNormalPass(scope);
    }
    if (last.jobId.endsWith(`.${suffix}`))
      throw new TerminalError(
        Reason.OperationFailed,
        `${last.message ?? "the last up failed"}; change the spec to try again`,
      );
  }
  const applied = last?.result === "Succeeded" && last.type === "up" && last.inputsHash === inputsHash;
  if (!applied) {
    await startOperation(nodeGroupStack, scope, "up", suffix);
    return afterNormalPass(scope);
  }
  await readJoinedNodes(scope);
  return { requeueAfter: deps.healthIntervalMs };
}

/** Deletion: cancel what runs, destroy the group (retried with backoff), or release as abandon-deprovision asks. */
export async function deleteNodeGroup(scope: NodePoolScope): Promise<ReconcileResult | void> {
  const done = await deleteStack(nodeGroupStack, scope);
  if (done && scope.hosted) await unregisterJoinToken(scope.deps.kube, scope.hosted, scope.pool);
  return afterDeletePass(scope, done);
}

/** The pool's Nodes in the hosted API (the machines that joined), when it answers. */
async function readJoinedNodes(scope: NodePoolScope): Promise<void> {
  if (!scope.hosted) return;
  const selector = `${NODE_POOL_LABEL}=${scope.pool.metadata.name!}`;
  scope.nodes = (await scope.hosted.list<HostedNode>(nodeResource, { labelSelector: selector })).items;
}
