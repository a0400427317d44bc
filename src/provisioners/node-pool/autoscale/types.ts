/**
 * The autoscaler's own view of a NodePool, its nodes and the pods the scheduler could not place. The controller
 * maps API objects into these shapes; the decision never sees a Kubernetes object, so it stays pure and is
 * tested from plain literals (as src/pools/algorithm is).
 */
import type { NodePoolReason } from "../../../api/reasons.js";

/** Requests or capacity in the units the scheduler compares: millicores, bytes, pod slots. */
export interface Resources {
  cpuMilli: number;
  memoryBytes: number;
  pods: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: string;
}

/** A pod the scheduler marked Unschedulable (PodScheduled=False, reason Unschedulable). */
export interface PendingPod {
  /** "namespace/name", for messages. */
  name: string;
  /** Sum of its containers' requests (pods: 1). */
  requests: Resources;
  tolerations: readonly Toleration[];
  nodeSelector: Readonly<Record<string, string>>;
}

/** What a new node of the pool looks like: its instance type's allocatable, the spec's labels and taints. */
export interface NodeTemplate {
  allocatable: Resources;
  labels: Readonly<Record<string, string>>;
  taints: readonly Taint[];
}

/** One node of the pool as it stands. */
export interface NodeView {
  name: string;
  allocatable: Resources;
  labels: Readonly<Record<string, string>>;
  taints: readonly Taint[];
  /** Sum of the requests of the pods bound to it (not finished). */
  requested: Resources;
  /** Pods bound to it (not finished). A node with any is never removed by scale-down. */
  podCount: number;
  /** Since when it has had no pods (the controller keeps it in an annotation). Absent: it has pods. */
  emptySince?: Date;
  /** Being deleted already: neither capacity nor a candidate. */
  deleting?: boolean;
}

export interface AutoscaleInput {
  min: number;
  max: number;
  /** How long a node must stay empty before it is removed (cluster-autoscaler's scale-down-unneeded-time). */
  scaleDownDelayMs: number;
  now: Date;
  template: NodeTemplate;
  nodes: readonly NodeView[];
  pendingPods: readonly PendingPod[];
}

/** cluster-autoscaler's words: its events (ScaledUpGroup, ScaleDown, NotTriggerScaleUp) and status (NoActivity). */
export type AutoscaleReason = Extract<
  NodePoolReason,
  "ScaledUpGroup" | "ScaleDown" | "NotTriggerScaleUp" | "ScaleDownCandidatesPresent" | "NoActivity"
>;

/** Why one pending pod did not make the pool grow (cluster-autoscaler's NotTriggerScaleUp event message). */
export interface NotTriggered {
  pod: string;
  why: string;
}

export interface AutoscaleDecision {
  /** Nodes the pool should have after this decision. */
  desiredReplicas: number;
  /** Nodes to remove, by name (empty past the delay, or beyond max). */
  removeNodes: string[];
  reason: AutoscaleReason;
  message: string;
  /** Pending pods new nodes are meant for. */
  helpedPods: string[];
  notTriggered: NotTriggered[];
  /** When the next empty node becomes removable: the controller requeues then. */
  nextScaleDownAt?: Date;
}
