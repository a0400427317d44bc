import { apiTime, parseDuration } from "../../api/duration.js";
import type { HostedCluster } from "../../api/hosted-cluster.js";
import type { NodePool } from "../../api/node-pool.js";
import { DEFAULT_SCALE_DOWN_DELAY } from "../../api/node-pool.js";
import { NodePoolReason as Reason } from "../../api/reasons.js";
import { isNotFound } from "../../errors/index.js";
import type { ReconcileResult } from "../../runtime/reconciler.js";
import { decideAutoscale } from "./autoscale/index.js";
import { renewLease } from "./heartbeat.js";
import { deleteNodeGroup, reconcileNodeGroup } from "./node-group.js";
import {
  leaseResource,
  NODE_LEASE_NAMESPACE,
  nodeResource,
  podResource,
  type HostedNode,
  type HostedPod,
} from "./hosted-objects.js";
import {
  EMPTY_SINCE_ANNOTATION,
  instanceTypeOf,
  isNodeReady,
  isUnschedulable,
  newNodeName,
  nodeInfo,
  nodeVersion,
  nodeView,
  NODE_VERSION_LABEL,
  pendingPodView,
  podsByNode,
  poolNodeLabels,
  poolSelector,
  poolTaints,
  resourcesOf,
  simulatedNode,
  takenByEarlierPool,
} from "./nodes.js";
import { planRollout } from "./rollout.js";
import type { NodePoolScope } from "./scope.js";

export const NODE_POOL_FINALIZER = "slipway.dev/node-pool";
export const NODE_POOL_FIELD_MANAGER = "slipway-node-pool";
const NOT_READY_TAINT = "node.kubernetes.io/not-ready";
/** While nodes are added, removed or relabelled, look again this soon. */
const ROLLING_REQUEUE_MS = 1_000;

export async function reconcileNodePool(scope: NodePoolScope): Promise<ReconcileResult | void> {
  if (scope.waiting || !scope.mode) return { requeueAfter: scope.deps.healthIntervalMs };
  if (scope.mode === "status-only") return reconcileCounts(scope);
  if (scope.mode === "provider-node-group") return reconcileNodeGroup(scope);
  return reconcileNodes(scope);
}

/** The nodes a pass acts on: spec.replicas, or the autoscaler's decision over the hosted cluster's pods. */
function desiredCount(scope: NodePoolScope, nodes: HostedNode[], byNode: Map<string, HostedPod[]>): number {
  const { pool } = scope;
  const autoScaling = pool.spec.autoScaling;
  if (!autoScaling) return pool.spec.replicas ?? 0;
  scope.decision = decideAutoscale({
    min: autoScaling.min,
    max: autoScaling.max,
    scaleDownDelayMs: parseDuration(autoScaling.scaleDownDelay ?? DEFAULT_SCALE_DOWN_DELAY),
    now: scope.now,
    template: {
      allocatable: resourcesOf(instanceTypeOf(pool).size),
      labels: poolNodeLabels(pool),
      taints: poolTaints(pool),
    },
    nodes: nodes.map((n) => nodeView(n, byNode.get(n.metadata!.name!) ?? [])),
    pendingPods: scope.pods
      .filter(isUnschedulable)
      .map(pendingPodView)
      .filter((pod) => !takenByEarlierPool(pool, scope.deps.nodePools(pool.metadata.namespace!), pod)),
  });
  return scope.decision.desiredReplicas;
}

/** Keeps each node's empty-since annotation: set when it is first seen with no pods, removed when it has some. */
async function markEmptiness(scope: NodePoolScope, nodes: HostedNode[], byNode: Map<string, HostedPod[]>) {
  const client = scope.hosted!;
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const empty = (byNode.get(name) ?? []).length === 0;
    const marked = node.metadata?.annotations?.[EMPTY_SINCE_ANNOTATION];
    if (empty === (marked !== undefined)) continue;
    const value = empty ? apiTime(scope.now) : null;
    await client.patch(
      nodeResource,
      undefined,
      name,
      { metadata: { annotations: { [EMPTY_SINCE_ANNOTATION]: value } } },
      { type: "merge" },
    );
    const annotations = { ...(node.metadata?.annotations ?? {}) };
    if (value) annotations[EMPTY_SINCE_ANNOTATION] = value;
    else delete annotations[EMPTY_SINCE_ANNOTATION];
    node.metadata = { ...node.metadata, annotations };
  }
}

async function removeNode(scope: NodePoolScope, name: string): Promise<void> {
  const client = scope.hosted!;
  scope.context.log.info({ node: name }, "Removing node");
  for (const [resource, namespace] of [
    [nodeResource, undefined],
    [leaseResource, NODE_LEASE_NAMESPACE],
  ] as const) {
    try {
      await client.delete(resource, namespace, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  await scope.context.events.record(scope.pool, {
    type: "Normal",
    reason: Reason.NodeRemoved,
    message: `Removed node ${name} from HostedCluster ${scope.pool.spec.clusterName}`,
  });
}

async function addNode(scope: NodePoolScope): Promise<HostedNode> {
  const client = scope.hosted!;
  const name = newNodeName(scope.pool);
  scope.context.log.info({ node: name, version: scope.version }, "Registering simulated node");
  const wanted = simulatedNode(scope.pool, name, scope.version!, apiTime(scope.now));
  let created = await client.create<HostedNode>(nodeResource, wanted);
  if (!isNodeReady(created)) {
    created = await client.patch<HostedNode>(
      nodeResource,
      undefined,
      name,
      { status: wanted.status },
      { type: "merge", subresource: "status" },
    );
  }
  // The API server's admission puts node.kubernetes.io/not-ready on every new node, and the node lifecycle
  // controller lifts it only on its next sweep (every 5 s): the node is Ready already, so lift it now, as that
  // controller would, and pods bind within the scheduler's next retry.
  if (created.spec?.taints?.some((t) => t.key === NOT_READY_TAINT))
    created = await client.patch<HostedNode>(
      nodeResource,
      undefined,
      name,
      { spec: { taints: created.spec.taints.filter((t) => t.key !== NOT_READY_TAINT) } },
      { type: "merge" },
    );
  await renewLease(client, created, scope.now);
  await scope.context.events.record(scope.pool, {
    type: "Normal",
    reason: Reason.NodeAdded,
    message: `Registered simulated node ${name} (${instanceTypeOf(scope.pool).name}, ${scope.version!}) in HostedCluster ${scope.pool.spec.clusterName}`,
  });
  return created;
}

/** InPlace: the node's version label and its nodeInfo (kubeletVersion) move to the wanted version. */
async function relabelNode(scope: NodePoolScope, node: HostedNode): Promise<HostedNode> {
  const client = scope.hosted!;
  const name = node.metadata!.name!;
  scope.context.log.info({ node: name, version: scope.version }, "Upgrading node in place");
  await client.patch(
    nodeResource,
    undefined,
    name,
    { metadata: { labels: { [NODE_VERSION_LABEL]: scope.version } } },
    { type: "merge" },
  );
  return client.patch<HostedNode>(
    nodeResource,
    undefined,
    name,
    { status: { nodeInfo: nodeInfo(scope.version!) } },
    { type: "merge", subresource: "status" },
  );
}

/** What a kubelet does when it comes back: post Ready again (a lease that lapsed made the node Unknown). */
async function reportReady(scope: NodePoolScope, node: HostedNode): Promise<HostedNode> {
  const now = apiTime(scope.now);
  const conditions = (node.status?.conditions ?? []).filter((c) => c.type !== "Ready");
  const ready = simulatedNode(scope.pool, node.metadata!.name!, nodeVersion(node) ?? scope.version!, now)
    .status!.conditions!;
  return scope.hosted!.patch<HostedNode>(
    nodeResource,
    undefined,
    node.metadata!.name!,
    { status: { conditions: [...conditions, ...ready] } },
    { type: "merge", subresource: "status" },
  );
}

/** Nodes in the hosted cluster's API: scale, upgrade and heal them, and keep their leases renewed. */
async function reconcileNodes(scope: NodePoolScope): Promise<ReconcileResult> {
  const { pool, deps } = scope;
  const client = scope.hosted!;
  let nodes = (await client.list<HostedNode>(nodeResource, { labelSelector: poolSelector(pool) })).items;
  scope.pods = (await client.list<HostedPod>(podResource)).items;
  const byNode = podsByNode(scope.pods);
  await markEmptiness(scope, nodes, byNode);

  const management = pool.spec.management;
  const unhealthy = nodes.filter((n) => !isNodeReady(n) && !n.metadata?.deletionTimestamp);
  if (management.autoRepair) {
    for (const node of unhealthy) await removeNode(scope, node.metadata!.name!);
    nodes = nodes.filter((n) => !unhealthy.includes(n));
  } else {
    nodes = await Promise.all(nodes.map((n) => (unhealthy.includes(n) ? reportReady(scope, n) : n)));
  }

  scope.desired = desiredCount(scope, nodes, byNode);
  const plan = planRollout({
    nodes: nodes.map((n) => ({
      name: n.metadata!.name!,
      version: nodeVersion(n),
      ready: isNodeReady(n),
      podCount: (byNode.get(n.metadata!.name!) ?? []).length,
      createdAt: new Date(n.metadata?.creationTimestamp ?? 0),
    })),
    desired: scope.desired,
    version: scope.version!,
    upgradeType: management.upgradeType,
    maxSurge: management.maxSurge,
    maxUnavailable: management.maxUnavailable,
    preferRemove: scope.decision?.removeNodes,
  });
  scope.plan = plan;

  if (plan.remove.length > 0 || plan.create > 0)
    scope.context.log.info(
      { desired: scope.desired, nodes: nodes.length, add: plan.create, remove: plan.remove.length },
      "Scaling the pool's nodes",
    );
  for (const name of plan.remove) await removeNode(scope, name);
  nodes = nodes.filter((n) => !plan.remove.includes(n.metadata!.name!));
  for (let i = 0; i < plan.create; i++) nodes.push(await addNode(scope));
  for (const name of plan.relabel) {
    const index = nodes.findIndex((n) => n.metadata!.name === name);
    nodes[index] = await relabelNode(scope, nodes[index]!);
  }
  scope.nodes = nodes;
  deps.heartbeat.track(scope.key, client, nodes);
  await recordScaling(scope, plan.create, plan.remove.length);

  const moving = plan.create > 0 || plan.remove.length > 0 || plan.relabel.length > 0 || plan.outdated > 0;
  if (moving) return { requeueAfter: ROLLING_REQUEUE_MS };
  return { requeueAfter: pool.spec.autoScaling ? deps.scanIntervalMs : deps.healthIntervalMs };
}

/** Scale times in status, and the autoscaler's decision as an Event when it changed (cluster-autoscaler's). */
async function recordScaling(scope: NodePoolScope, added: number, removed: number): Promise<void> {
  const now = apiTime(scope.now);
  if (added > 0 || removed > 0) scope.lastScaleTime = now;
  const decision = scope.decision;
  if (!decision) return;
  if (decision.reason === Reason.ScaledUpGroup && added > 0) scope.lastScaleUpTime = now;
  if (decision.reason === Reason.ScaleDown && removed > 0) scope.lastScaleDownTime = now;
  const previous = scope.pool.status?.autoscaling;
  const changed = previous?.reason !== decision.reason || previous?.message !== decision.message;
  const noteworthy =
    decision.reason === Reason.ScaledUpGroup ||
    decision.reason === Reason.ScaleDown ||
    decision.reason === Reason.NotTriggerScaleUp;
  if (changed && noteworthy)
    await scope.context.events.record(scope.pool, {
      type: "Normal",
      reason: decision.reason,
      message: decision.message,
    });
}

/** A simulated HostedCluster has no API: the nodes are counts, each Ready nodeReadySeconds after a change. */
function reconcileCounts(scope: NodePoolScope): ReconcileResult | void {
  const { pool } = scope;
  const previous = pool.status?.replicas ?? 0;
  const autoScaling = pool.spec.autoScaling;
  scope.desired = autoScaling
    ? Math.min(autoScaling.max, Math.max(autoScaling.min, previous))
    : (pool.spec.replicas ?? 0);
  if (scope.desired !== previous) scope.lastScaleTime = apiTime(scope.now);
  scope.simulatedReplicas = scope.desired;
  const block = Object.values(pool.spec.platform ?? {}).find((v) => v != null) as
    { nodeReadySeconds?: number } | undefined;
  const readyAfterMs = (block?.nodeReadySeconds ?? 0) * 1000;
  const since = scope.lastScaleTime ? Date.parse(scope.lastScaleTime) : 0;
  const waitMs = since + readyAfterMs - scope.now.getTime();
  scope.simulatedReady =
    waitMs <= 0 ? scope.desired : Math.min(pool.status?.readyReplicas ?? 0, scope.desired);
  if (waitMs > 0) return { requeueAfter: waitMs };
}

/**
 * Why a deleted pool's finalizer must wait before it lets the pool go, or undefined. Its nodes are objects in the
 * hosted API; while the HostedCluster does not serve it (hibernating, or not Available) they cannot be removed, and
 * a pool let go then leaves them in the stopped API's data to come back when the cluster resumes. So the finalizer
 * waits for the API, as Cluster API's Machine finalizer waits to delete its Node in the workload cluster, unless
 * the cluster is being deleted too (its API and its nodes go with it) or the pool had no nodes when last seen.
 */
export function nodeRemovalWait(
  pool: NodePool,
  cluster: HostedCluster | undefined,
  apiReachable: boolean,
): string | undefined {
  if (apiReachable || !cluster || cluster.metadata.deletionTimestamp) return undefined;
  const nodes = pool.status?.replicas ?? 0;
  if (nodes === 0) return undefined;
  const name = cluster.metadata.name!;
  const why =
    cluster.spec.powerState === "Hibernating" || cluster.status?.powerState === "Hibernating"
      ? "hibernates"
      : "is not Available";
  return (
    `Deleting: the pool's ${nodes} node(s) are objects in HostedCluster ${name}'s API, which does not answer while ` +
    `the cluster ${why}; let go now, they would come back when it resumes. The pool is removed once the nodes are: ` +
    `resume the cluster (slipway resume ${name}), or delete the HostedCluster (its API and nodes go with it)`
  );
}

/** Removes the pool's nodes (and their leases) from the hosted API; nothing to do when the cluster is gone. */
export async function deleteNodePool(scope: NodePoolScope): Promise<ReconcileResult | void> {
  scope.deps.heartbeat.untrack(scope.key);
  if (scope.mode === "provider-node-group") return deleteNodeGroup(scope);
  if (scope.mode !== "api-objects") return;
  if (!scope.hosted) {
    const wait = nodeRemovalWait(scope.pool, scope.cluster, false);
    if (!wait) return;
    scope.waiting = { reason: Reason.WaitingToRemoveNodes, message: wait };
    return { requeueAfter: scope.deps.healthIntervalMs };
  }
  const client = scope.hosted;
  let nodes: HostedNode[];
  try {
    nodes = (await client.list<HostedNode>(nodeResource, { labelSelector: poolSelector(scope.pool) })).items;
  } catch (error) {
    // A HostedCluster on its way out takes its API (and these nodes, in its etcd prefix) with it.
    if (scope.cluster?.metadata.deletionTimestamp) return;
    throw error;
  }
  for (const node of nodes) await removeNode(scope, node.metadata!.name!);
  scope.nodes = [];
}
