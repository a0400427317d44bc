import type { HostedCluster } from "../../api/hosted-cluster.js";
import type { NodePool } from "../../api/node-pool.js";
import { hostedClusterResource, nodePoolResource } from "../../api/resources.js";
import type { ControllerDependencies } from "../../queue/controller-jobs.js";
import { PULUMI_QUEUE } from "../../queue/job.js";
import type { StackJobData, StackJobProgress } from "../../queue/stack-job.js";
import type { Manager } from "../../runtime/manager.js";
import type { Reconciler } from "../../runtime/reconciler.js";
import type { KubeObject } from "../../runtime/resource.js";
import { NodeHeartbeat } from "./heartbeat.js";
import { HostedApiClients } from "./hosted-api.js";
import { deleteNodePool, NODE_POOL_FIELD_MANAGER, NODE_POOL_FINALIZER, reconcileNodePool } from "./phases.js";
import {
  buildNodePoolScope,
  type NodeGroupJobResult,
  type NodePoolClock,
  type NodePoolDeps,
  type NodePoolScope,
} from "./scope.js";
import { computeNodePoolStatus } from "./status.js";

export const NODE_POOL_CONTROLLER = "node-pool";

export function nodePoolReconciler(deps: NodePoolDeps): Reconciler<NodePool, NodePoolScope> {
  return {
    finalizer: NODE_POOL_FINALIZER,
    buildScope: (pool, context) => buildNodePoolScope(pool, context, deps),
    reconcileNormal: reconcileNodePool,
    reconcileDelete: deleteNodePool,
    computeStatus: computeNodePoolStatus,
  };
}

export interface NodePoolOptions {
  /** Default: the system clock. Tests pass their own for scaleDownDelay. */
  clock?: NodePoolClock;
  /** cluster-autoscaler's scan-interval: how often an autoscaled pool reads pending pods. Default 10 s. */
  scanIntervalMs?: number;
  /** How often a pool checks its nodes without events. Default 30 s. */
  healthIntervalMs?: number;
  /** How often node leases are renewed. Default 10 s (the kubelet's for a 40 s lease). */
  heartbeatIntervalMs?: number;
  concurrency?: number;
}

/** Pools in the HostedCluster's namespace that name it: a cluster appearing or changing wakes them. */
function poolsOfCluster(pools: () => NodePool[]) {
  return (cluster: KubeObject): string[] =>
    pools()
      .filter(
        (p) =>
          p.metadata.namespace === cluster.metadata?.namespace &&
          p.spec.clusterName === cluster.metadata?.name,
      )
      .map((p) => `${p.metadata.namespace!}/${p.metadata.name!}`);
}

/**
 * Registers the NodePool controller: simulated nodes written straight into each hosted cluster's API (no Pulumi
 * run: on local and simulated the nodes are API objects, not machines), their leases renewed by this process,
 * sized by spec.replicas or the autoscaler; on clouds, the provider's node group through a stack job on the
 * "pulumi" queue, whose events reconcile the pool at once. Returns the heartbeat so a caller can stop it with the
 * manager.
 */
export function register(
  manager: Manager,
  deps: ControllerDependencies,
  options: NodePoolOptions = {},
): NodeHeartbeat {
  const stacks = deps.jobs.queue<StackJobData, NodeGroupJobResult, StackJobProgress>(PULUMI_QUEUE);
  const clusters = manager.informer<HostedCluster>(hostedClusterResource);
  const pools = manager.informer<NodePool>(nodePoolResource);
  const clock = options.clock ?? { now: () => new Date() };
  const heartbeat = new NodeHeartbeat({
    intervalMs: options.heartbeatIntervalMs,
    now: () => clock.now(),
    active: () => manager.isLeader(),
  });
  manager.register({
    name: NODE_POOL_CONTROLLER,
    fieldManager: NODE_POOL_FIELD_MANAGER,
    watches: {
      primary: nodePoolResource,
      secondary: [{ resource: hostedClusterResource, mapToPrimary: poolsOfCluster(() => pools.list()) }],
    },
    reconciler: nodePoolReconciler({
      kube: deps.kube,
      config: deps.config,
      stacks,
      hostedCluster: (namespace, name) => clusters.get(namespace, name),
      nodePools: (namespace) => pools.list({ namespace }),
      clients: new HostedApiClients(deps.kube),
      heartbeat,
      clock,
      scanIntervalMs: options.scanIntervalMs ?? 10_000,
      healthIntervalMs: options.healthIntervalMs ?? 30_000,
    }),
    concurrency: options.concurrency ?? 4,
  });
  deps.jobs.onJobEvent(PULUMI_QUEUE, "NodePool", (e) =>
    manager.enqueue(NODE_POOL_CONTROLLER, `${e.namespace}/${e.name}`),
  );
  return heartbeat;
}
