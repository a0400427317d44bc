import type { HostedCluster } from "../../api/hosted-cluster.js";
import type { NodePool } from "../../api/node-pool.js";
import type { StackStatus } from "../../api/operation-status.js";
import { platformOf } from "../../api/platform.js";
import { NodePoolReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import type { JobQueue } from "../../queue/job-queue.js";
import type { StackJobData, StackJobProgress, StackJobResult } from "../../queue/stack-job.js";
import type { StackJobView } from "../stack-resource/index.js";
import type { SlipwayConfig } from "../../runtime/config.js";
import { isTrue } from "../../runtime/conditions.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import type { ReconcileContext } from "../../runtime/reconciler.js";
import { platformDefinition, platforms, type NodePoolNodes } from "../../../stacks/index.js";
import { checkNodeGroupPrerequisites } from "./node-group-checks.js";
import { joinEndpointOf, type JoinEndpoint } from "./node-group-stack.js";
import type { AutoscaleDecision } from "./autoscale/index.js";
import type { NodeHeartbeat } from "./heartbeat.js";
import type { HostedApiClients } from "./hosted-api.js";
import type { HostedNode, HostedPod } from "./hosted-objects.js";
import type { RolloutPlan } from "./rollout.js";

/** The controller's time: the system clock, or a test's clock for scaleDownDelay. */
export interface NodePoolClock {
  now(): Date;
}

/** A cloud pool's stack job result: what every stack job returns, and the node count the group reports. */
export interface NodeGroupJobResult extends StackJobResult {
  /** The group's desired size as the cloud reports it after the run. */
  groupReplicas?: number;
}

export interface NodePoolDeps {
  /** The hub. */
  kube: KubeClient;
  config: SlipwayConfig;
  /** The "pulumi" queue: cloud pools' stack jobs. */
  stacks: JobQueue<StackJobData, NodeGroupJobResult, StackJobProgress>;
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
export type NodesMode = NodePoolNodes;

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
  /** provider-node-group: the hosted API the machines join, from the HostedCluster's admin kubeconfig. */
  join?: JoinEndpoint;
  /** provider-node-group: the status the shared stack phases build (status.stack: the pool's last operation). */
  status: { stack?: StackStatus };
  /** provider-node-group: the stack job in flight or just finished. */
  job?: StackJobView;
  /** provider-node-group: when the shared stack phases want the pool looked at again. */
  requeueAfterMs?: number;
  /** provider-node-group: the group's size as the cloud reported it after the last up. */
  groupReplicas?: number;
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
    status: {},
    lastScaleTime: status.lastScaleTime,
    lastScaleUpTime: status.autoscaling?.lastScaleUpTime,
    lastScaleDownTime: status.autoscaling?.lastScaleDownTime,
  };
  const clusterName = pool.spec.clusterName;
  const cluster = deps.hostedCluster(namespace, clusterName);
  // A cloud pool's machines outlive its cluster: with the cluster gone, deletion still destroys its stack.
  const stack = pool.status?.stack;
  if (!cluster && pool.metadata.deletionTimestamp && stack && nodesOf(pool) === "provider-node-group") {
    scope.mode = "provider-node-group";
    scope.status.stack = structuredClone(stack);
    return scope;
  }
  if (!cluster)
    return waitFor(
      scope,
      `HostedCluster ${clusterName} does not exist in namespace ${namespace}; the pool binds when it is created`,
    );
  scope.cluster = cluster;
  const poolPlatform = platformOf(pool.spec) ?? "unknown";
  const clusterPlatform = platformOf(cluster.spec) ?? "unknown";
  const deleting = pool.metadata.deletionTimestamp !== undefined;
  const mode = nodesOf(pool);
  if (mode === "provider-node-group")
    return buildNodeGroupScope(scope, cluster, poolPlatform, clusterPlatform);
  // A pool that never bound (another platform, or one without NodePools here) made no nodes: it just goes.
  if (poolPlatform !== clusterPlatform && deleting) return scope;
  if (poolPlatform !== clusterPlatform)
    throw new TerminalError(
      Reason.PlatformMismatch,
      `spec.platform is ${poolPlatform} but HostedCluster ${clusterName} is on ${clusterPlatform}: delete this ` +
        `NodePool and create one with spec.platform.${poolPlatformsFor(clusterPlatform).join(" or spec.platform.")}`,
    );
  if (!mode && deleting) return scope;
  if (!mode)
    throw new TerminalError(
      Reason.UnsupportedPlatform,
      `this build makes no NodePools on ${poolPlatform} yet; NodePools run on local, simulated, and (for a ` +
        `management-mode HostedCluster) aws, azure and gcp: delete this NodePool and create one on one of those`,
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

/**
 * A cloud pool: its HostedCluster must serve an API the cloud's machines can join (management mode); then the
 * prerequisites of a run (the provider plugin, the credentials Secret), then the endpoint to join. A pool being
 * deleted skips all that: its stack is destroyed whatever else is missing.
 */
async function buildNodeGroupScope(
  scope: NodePoolScope,
  cluster: HostedCluster,
  poolPlatform: string,
  clusterPlatform: string,
): Promise<NodePoolScope> {
  const { pool, deps } = scope;
  scope.mode = "provider-node-group";
  scope.status.stack = pool.status?.stack ? structuredClone(pool.status.stack) : undefined;
  scope.version = pool.spec.release?.version ?? cluster.spec.release.version;
  const serving = isTrue(cluster.status?.conditions, "Available") && !cluster.metadata.deletionTimestamp;
  // Deleting: the stack goes whatever else is missing; the token leaves the hosted API if it answers.
  if (pool.metadata.deletionTimestamp) {
    if (serving) scope.hosted = await deps.clients.clientFor(cluster).catch(() => undefined);
    return scope;
  }
  if (!platformDefinition(clusterPlatform)?.hostsProviderNodePools)
    throw new TerminalError(
      Reason.ManagementClusterRequired,
      `spec.platform is ${poolPlatform}: such a pool is ${poolPlatform}'s node group, whose machines join the ` +
        `hosted API from the cloud, but HostedCluster ${cluster.metadata.name!} is on ${clusterPlatform}, whose ` +
        `API only this machine reaches: create the HostedCluster in management mode (spec.platform.kubernetes) ` +
        `and this NodePool for it, or create the pool with spec.platform.${clusterPlatform} for this cluster`,
    );
  await checkNodeGroupPrerequisites(scope, poolPlatform);
  scope.join = await joinEndpointOf(deps.kube, cluster);
  if (!scope.join)
    return waitFor(
      scope,
      `HostedCluster ${cluster.metadata.name!} has no admin kubeconfig Secret yet (status.kubeconfig): its ` +
        `machines need the API endpoint and CA it names`,
    );
  if (serving) scope.hosted = await deps.clients.clientFor(cluster);
  return scope;
}

/** The platforms a NodePool of a cluster on `clusterPlatform` may name: its own, or the clouds in management mode. */
function poolPlatformsFor(clusterPlatform: string): string[] {
  if (!platformDefinition(clusterPlatform)?.hostsProviderNodePools) return [clusterPlatform];
  return platforms.filter((p) => p.nodePoolNodes === "provider-node-group").map((p) => p.name);
}

function nodesOf(pool: NodePool): NodePoolNodes | undefined {
  return platformDefinition(platformOf(pool.spec) ?? "unknown")?.nodePoolNodes;
}
