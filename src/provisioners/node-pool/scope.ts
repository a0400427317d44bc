import type { HostedCluster } from "../../api/hosted-cluster.js";
import type { NodePool } from "../../api/node-pool.js";
import { platformOf } from "../../api/platform.js";
import { NodePoolReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import { isTrue } from "../../runtime/conditions.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import type { ReconcileContext } from "../../runtime/reconciler.js";
import { platformDefinition } from "../../../stacks/index.js";
import type { AutoscaleDecision } from "./autoscale/index.js";
import type { NodeHeartbeat } from "./heartbeat.js";
import type { HostedApiClients } from "./hosted-api.js";
import type { HostedNode, HostedPod } from "./hosted-objects.js";
import type { RolloutPlan } from "./rollout.js";

/** The controller's time: the system clock, or a test's clock for scaleDownDelay. */
export interface NodePoolClock {
  now(): Date;
}

export interface NodePoolDeps {
  hostedCluster(namespace: string, name: string): HostedCluster | undefined;
  /** The NodePools in a namespace (from the cache). */
  nodePools(namespace: string): NodePool[];
  clients: HostedApiClients;
  heartbeat: NodeHeartbeat;
  clock: NodePoolClock;
  /** How often an autoscaled pool looks at pending pods again (cluster-autoscaler's scan-interval). */
  scanIntervalMs: number;
  /** How often a pool looks at its nodes' health again without events. */
  healthIntervalMs: number;
}

/** What the pool's nodes are on its platform (the platform's PlatformDefinition.nodePoolNodes). */
export type NodesMode = "api-objects" | "status-only";

export interface NodePoolScope {
  pool: NodePool;
  context: ReconcileContext;
  deps: NodePoolDeps;
  key: string;
  /** The decision's time (deps.clock). */
  now: Date;
  /** Set when the pool cannot bind yet: the reason and message of its Ready condition. */
  waiting?: { reason: string; message: string };
  cluster?: HostedCluster;
  mode?: NodesMode;
  hosted?: KubeClient;
  /** Kubernetes version the nodes should run. */
  version?: string;
  /** Nodes the pool wants (spec.replicas or the autoscaler's). */
  desired?: number;
  /** The pool's nodes after this pass's actions (api-objects). */
  nodes: HostedNode[];
  pods: HostedPod[];
  decision?: AutoscaleDecision;
  plan?: RolloutPlan;
  /** When nodes were last added or removed (carried in status). */
  lastScaleTime?: string;
  lastScaleUpTime?: string;
  lastScaleDownTime?: string;
  /** status-only: the counts the pool reports. */
  simulatedReplicas?: number;
  simulatedReady?: number;
}

function waitFor(scope: NodePoolScope, message: string): NodePoolScope {
  scope.waiting = { reason: Reason.WaitingForHostedCluster, message };
  return scope;
}

/**
 * Reads the HostedCluster the pool names and checks it can carry this pool: same platform, a platform whose
 * NodePools this build makes, and (for nodes in an API) an API that answers. Reads nothing of the hosted API
 * yet: the phases list its nodes and pods.
 */
export async function buildNodePoolScope(
  pool: NodePool,
  context: ReconcileContext,
  deps: NodePoolDeps,
): Promise<NodePoolScope> {
  const namespace = pool.metadata.namespace!;
  const status = pool.status ?? {};
  const scope: NodePoolScope = {
    pool,
    context,
    deps,
    key: context.key,
    now: deps.clock.now(),
    nodes: [],
    pods: [],
    lastScaleTime: status.lastScaleTime,
    lastScaleUpTime: status.autoscaling?.lastScaleUpTime,
    lastScaleDownTime: status.autoscaling?.lastScaleDownTime,
  };
  const clusterName = pool.spec.clusterName;
  const cluster = deps.hostedCluster(namespace, clusterName);
  if (!cluster)
    return waitFor(
      scope,
      `HostedCluster ${clusterName} does not exist in namespace ${namespace}; the pool binds when it is created`,
    );
  scope.cluster = cluster;
  const poolPlatform = platformOf(pool.spec) ?? "unknown";
  const clusterPlatform = platformOf(cluster.spec) ?? "unknown";
  // A pool that never bound (another platform, or one without NodePools here) made no nodes: it just goes.
  const deleting = pool.metadata.deletionTimestamp !== undefined;
  if (poolPlatform !== clusterPlatform && deleting) return scope;
  if (poolPlatform !== clusterPlatform)
    throw new TerminalError(
      Reason.PlatformMismatch,
      `spec.platform is ${poolPlatform} but HostedCluster ${clusterName} is on ${clusterPlatform}: delete this ` +
        `NodePool and create one with spec.platform.${clusterPlatform}`,
    );
  const mode = platformDefinition(poolPlatform)?.nodePoolNodes;
  if (!mode && deleting) return scope;
  if (!mode)
    throw new TerminalError(
      Reason.UnsupportedPlatform,
      `On ${poolPlatform} a NodePool is the provider's node group, made by the cloud program, which this ` +
        `release does not build yet; local and simulated NodePools work`,
    );
  scope.mode = mode;
  scope.version = pool.spec.release?.version ?? cluster.spec.release.version;
  if (cluster.metadata.deletionTimestamp) return scope;
  if (mode === "status-only") return scope;
  if (!isTrue(cluster.status?.conditions, "Available"))
    return waitFor(
      scope,
      `HostedCluster ${clusterName} is not Available yet; the pool binds when it serves its API`,
    );
  scope.hosted = await deps.clients.clientFor(cluster);
  if (!scope.hosted)
    return waitFor(
      scope,
      `HostedCluster ${clusterName} has no admin kubeconfig Secret yet (status.kubeconfig)`,
    );
  return scope;
}
