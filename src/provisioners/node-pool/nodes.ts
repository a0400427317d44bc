/**
 * Simulated nodes: Node objects a NodePool registers in its hosted cluster's API with no machine and no kubelet
 * behind them. They carry the pool's labels and taints, their instance type's capacity and a Ready condition;
 * their heartbeat is a Lease in kube-node-lease that the controller renews (NodeHeartbeat). Pods bind to them
 * and never run. Pure builders and readers, no I/O.
 */
import { randomBytes } from "node:crypto";
import type { NodeInstanceType } from "../../api/node-instance-types.js";
import { SIMULATED_INSTANCE_TYPES, DEFAULT_SIMULATED_INSTANCE_TYPE } from "../../api/node-instance-types.js";
import { NODE_POOL_LABEL, NODE_VERSION_LABEL, type NodePool } from "../../api/node-pool.js";
import {
  neverFits,
  type NodeView,
  type PendingPod,
  type Resources,
  type Taint,
  type Toleration,
} from "./autoscale/index.js";
import type { HostedNode, HostedPod, NodeCondition } from "./hosted-objects.js";
import { bytes, cpuMilli } from "./quantity.js";

export const SIMULATED_NODE_LABEL = "slipway.dev/simulated-node";
/** A pool's node labels are the API's: a cloud machine's kubelet sets the same ones. */
export { NODE_POOL_LABEL, NODE_VERSION_LABEL };
export const INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type";
/** When the controller first saw the node with no pods: the autoscaler's scale-down clock. */
export const EMPTY_SINCE_ANNOTATION = "slipway.dev/empty-since";
export const SIMULATED_ANNOTATION = "slipway.dev/simulated";
export const SIMULATED_NOTE =
  "Simulated by Slipway's NodePool controller: no kubelet runs here, so pods bind to this node but never run.";
/** A Node's own condition reason (core v1), not one of Slipway's: the kubelet would write KubeletReady. */
const SIMULATED_READY = "SimulatedNodeReady";
export const LEASE_DURATION_SECONDS = 40;

export function instanceTypeOf(pool: NodePool): { name: string; size: NodeInstanceType } {
  const platform = (pool.spec.platform ?? {}) as Record<string, { instanceType?: string } | undefined>;
  const block = Object.values(platform).find((v) => v != null);
  const name = block?.instanceType ?? DEFAULT_SIMULATED_INSTANCE_TYPE;
  const size =
    (SIMULATED_INSTANCE_TYPES as Record<string, NodeInstanceType>)[name] ??
    SIMULATED_INSTANCE_TYPES[DEFAULT_SIMULATED_INSTANCE_TYPE];
  return { name, size };
}

export function resourcesOf(size: NodeInstanceType): Resources {
  return { cpuMilli: size.cpu * 1000, memoryBytes: size.memoryGiB * 1024 ** 3, pods: size.pods };
}

/** The label selector of a pool's nodes in its hosted cluster (pools of one cluster share a namespace). */
export function poolSelector(pool: NodePool): string {
  return `${SIMULATED_NODE_LABEL}=true,${NODE_POOL_LABEL}=${pool.metadata.name!}`;
}

/** The labels every node of the pool carries: the spec's nodeLabels and Slipway's. */
export function poolNodeLabels(pool: NodePool): Record<string, string> {
  return {
    ...(pool.spec.nodeLabels ?? {}),
    [SIMULATED_NODE_LABEL]: "true",
    [NODE_POOL_LABEL]: pool.metadata.name!,
    [INSTANCE_TYPE_LABEL]: instanceTypeOf(pool).name,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
  };
}

export function poolTaints(pool: NodePool): Taint[] {
  return (pool.spec.taints ?? []).map((t) => ({ key: t.key, value: t.value, effect: t.effect }));
}

/** `<pool>-sim-<5 hex>`: the name itself says the node is simulated. */
export function newNodeName(pool: NodePool): string {
  return `${pool.metadata.name!.slice(0, 40).replace(/[.-]+$/, "")}-sim-${randomBytes(3).toString("hex").slice(0, 5)}`;
}

function readyCondition(now: string): NodeCondition {
  return {
    type: "Ready",
    status: "True",
    reason: SIMULATED_READY,
    message: SIMULATED_NOTE,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  };
}

export function nodeInfo(version: string): Record<string, string> {
  const v = version.startsWith("v") ? version : `v${version}`;
  return {
    kubeletVersion: v,
    kubeProxyVersion: v,
    osImage: "Slipway simulated node",
    operatingSystem: "linux",
    architecture: "amd64",
    containerRuntimeVersion: "simulated://none",
    kernelVersion: "none",
    machineID: "",
    systemUUID: "",
    bootID: "",
  };
}

/** A new simulated node of the pool at `version`. */
export function simulatedNode(pool: NodePool, name: string, version: string, now: string): HostedNode {
  const { size } = instanceTypeOf(pool);
  const capacity = {
    cpu: String(size.cpu),
    memory: `${String(size.memoryGiB)}Gi`,
    pods: String(size.pods),
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: { ...poolNodeLabels(pool), "kubernetes.io/hostname": name, [NODE_VERSION_LABEL]: version },
      annotations: { [SIMULATED_ANNOTATION]: SIMULATED_NOTE, [EMPTY_SINCE_ANNOTATION]: now },
    },
    spec: { taints: poolTaints(pool) },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [readyCondition(now)],
      nodeInfo: nodeInfo(version),
    },
  };
}

/** metav1.MicroTime, as a Lease's renewTime is stored. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function nodeLease(node: HostedNode, now: Date) {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: node.metadata!.name!,
      namespace: "kube-node-lease",
      // The node's garbage: deleting the Node deletes its lease (kube-controller-manager's garbage collector).
      ownerReferences: node.metadata?.uid
        ? [{ apiVersion: "v1", kind: "Node", name: node.metadata.name!, uid: node.metadata.uid }]
        : undefined,
    },
    spec: {
      holderIdentity: node.metadata!.name!,
      leaseDurationSeconds: LEASE_DURATION_SECONDS,
      renewTime: microTime(now),
    },
  };
}

export function nodeVersion(node: HostedNode): string | undefined {
  return node.metadata?.labels?.[NODE_VERSION_LABEL];
}

export function isNodeReady(node: HostedNode): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

const finished = (pod: HostedPod) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

/** A pod the scheduler tried and could not place (PodScheduled=False, reason Unschedulable). */
export function isUnschedulable(pod: HostedPod): boolean {
  return (
    !pod.spec?.nodeName &&
    !finished(pod) &&
    !pod.metadata?.deletionTimestamp &&
    (pod.status?.conditions ?? []).some(
      (c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable",
    )
  );
}

/** The pod's effective requests: its containers' sum, or its largest init container's if larger. */
export function podRequests(pod: HostedPod): Resources {
  const sum = (list: { resources?: { requests?: Record<string, string> } }[] | undefined) =>
    (list ?? []).reduce(
      (acc, c) => ({
        cpuMilli: acc.cpuMilli + cpuMilli(c.resources?.requests?.cpu),
        memoryBytes: acc.memoryBytes + bytes(c.resources?.requests?.memory),
      }),
      { cpuMilli: 0, memoryBytes: 0 },
    );
  const containers = sum(pod.spec?.containers);
  const init = (pod.spec?.initContainers ?? []).map((c) => sum([c]));
  return {
    cpuMilli: Math.max(containers.cpuMilli, ...init.map((i) => i.cpuMilli)),
    memoryBytes: Math.max(containers.memoryBytes, ...init.map((i) => i.memoryBytes)),
    pods: 1,
  };
}

export function pendingPodView(pod: HostedPod): PendingPod {
  return {
    name: `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`,
    requests: podRequests(pod),
    tolerations: (pod.spec?.tolerations ?? []) as Toleration[],
    nodeSelector: pod.spec?.nodeSelector ?? {},
  };
}

/** Pods bound to each node that have not finished. */
export function podsByNode(pods: readonly HostedPod[]): Map<string, HostedPod[]> {
  const byNode = new Map<string, HostedPod[]>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node || finished(pod)) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  return byNode;
}

export function nodeView(node: HostedNode, pods: readonly HostedPod[]): NodeView {
  const requested = pods.reduce<Resources>(
    (acc, pod) => {
      const r = podRequests(pod);
      return {
        cpuMilli: acc.cpuMilli + r.cpuMilli,
        memoryBytes: acc.memoryBytes + r.memoryBytes,
        pods: acc.pods + 1,
      };
    },
    { cpuMilli: 0, memoryBytes: 0, pods: 0 },
  );
  const allocatable = node.status?.allocatable ?? {};
  const emptySince = node.metadata?.annotations?.[EMPTY_SINCE_ANNOTATION];
  return {
    name: node.metadata!.name!,
    allocatable: {
      cpuMilli: cpuMilli(allocatable.cpu),
      memoryBytes: bytes(allocatable.memory),
      pods: Number(allocatable.pods ?? 0),
    },
    labels: node.metadata?.labels ?? {},
    taints: (node.spec?.taints ?? []) as Taint[],
    requested,
    podCount: pods.length,
    emptySince: pods.length === 0 && emptySince ? new Date(emptySince) : undefined,
    deleting: node.metadata?.deletionTimestamp !== undefined,
  };
}

/**
 * Which autoscaled pool of a cluster grows for a pod several could hold: the first by name that has room under
 * its max (a fixed-priority expander; cluster-autoscaler's default picks at random). Without it every pool of
 * the cluster would grow for the same pod.
 */
export function takenByEarlierPool(pool: NodePool, pools: readonly NodePool[], pod: PendingPod): boolean {
  return pools.some(
    (other) =>
      other.spec.clusterName === pool.spec.clusterName &&
      other.metadata.namespace === pool.metadata.namespace &&
      other.spec.autoScaling !== undefined &&
      !other.metadata.deletionTimestamp &&
      other.metadata.name! < pool.metadata.name! &&
      (other.status?.replicas ?? 0) < other.spec.autoScaling.max &&
      neverFits(pod, {
        allocatable: resourcesOf(instanceTypeOf(other).size),
        labels: poolNodeLabels(other),
        taints: poolTaints(other),
      }) === undefined,
  );
}
