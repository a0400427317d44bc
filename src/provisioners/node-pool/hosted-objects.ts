/**
 * The hosted cluster's own objects the NodePool controller reads and writes (core v1 Node and Pod, Lease), typed
 * as far as it uses them, and the resource references to reach them.
 */
import type { KubeObject, ResourceRef } from "../../runtime/resource.js";

export const nodeResource: ResourceRef = {
  group: "",
  version: "v1",
  plural: "nodes",
  kind: "Node",
  namespaced: false,
};
export const podResource: ResourceRef = {
  group: "",
  version: "v1",
  plural: "pods",
  kind: "Pod",
  namespaced: true,
};
export const leaseResource: ResourceRef = {
  group: "coordination.k8s.io",
  version: "v1",
  plural: "leases",
  kind: "Lease",
  namespaced: true,
};

/** Where the kubelet's node heartbeats live (and ours, in its place). */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";

export interface NodeCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface HostedNode extends KubeObject {
  spec?: { taints?: { key: string; value?: string; effect: string }[]; unschedulable?: boolean };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: NodeCondition[];
    nodeInfo?: Record<string, string>;
  };
}

export interface HostedPod extends KubeObject {
  spec?: {
    nodeName?: string;
    nodeSelector?: Record<string, string>;
    tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
    containers?: { resources?: { requests?: Record<string, string> } }[];
    initContainers?: { resources?: { requests?: Record<string, string> } }[];
  };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string }[];
  };
}
