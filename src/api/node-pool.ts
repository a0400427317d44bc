import type { CustomResource } from "./object.js";
import {
  conditions,
  durationBetween,
  immutable,
  kubernetesVersion,
  labels,
  names,
  observedGeneration,
} from "./common.js";
import { ageColumn, conditionColumn, messageColumn, type KindDefinition } from "./crd.js";
import { stackStatus } from "./operation-status.js";
import { nodePoolPlatform, PLATFORMS } from "./platform.js";
import { taint } from "./platform-fields.js";
import { s, type Infer, type InferInput } from "./schema.js";

export const nodePoolManagement = s.object(
  {
    upgradeType: s.enum(["Replace", "InPlace"], {
      description: "Replace rolls new machines; InPlace upgrades the existing ones (HyperShift).",
      default: "Replace",
      rules: [immutable("management.upgradeType", "create a new NodePool with the other upgrade type")],
    }),
    autoRepair: s.boolean({ description: "Replace nodes that stay unhealthy.", default: false }),
    maxUnavailable: s.integer({
      description: "Nodes that may be unavailable at once during a Replace upgrade.",
      minimum: 0,
      maximum: 1000,
      default: 0,
    }),
    maxSurge: s.integer({
      description: "Extra nodes created at once during a Replace upgrade.",
      minimum: 0,
      maximum: 1000,
      default: 1,
    }),
  },
  {
    description: "How the pool's nodes are upgraded and repaired.",
    default: { upgradeType: "Replace", autoRepair: false, maxUnavailable: 0, maxSurge: 1 },
    rules: [
      {
        rule: "self.maxUnavailable > 0 || self.maxSurge > 0",
        message: "maxUnavailable and maxSurge cannot both be 0: an upgrade could never progress",
      },
    ],
  },
);

/**
 * The label every node of a pool carries, its pool's name, whoever makes the node: the NodePool controller (a
 * simulated node) or a cloud machine's kubelet (its boot config, stacks/cloud/node-join.ts).
 */
export const NODE_POOL_LABEL = "slipway.dev/nodepool";
/** The label with the Kubernetes version the pool asked for when the node was made: a rollout replaces the others. */
export const NODE_VERSION_LABEL = "slipway.dev/node-version";

/** Default of autoScaling.scaleDownDelay: cluster-autoscaler's scale-down-unneeded-time. */
export const DEFAULT_SCALE_DOWN_DELAY = "10m";

export const nodePoolAutoScalingSpec = s.object(
  {
    min: s.integer({ description: "Fewest nodes.", minimum: 0, maximum: 1000 }).required(),
    max: s.integer({ description: "Most nodes.", minimum: 1, maximum: 1000 }).required(),
    scaleDownDelay: s.string({
      description:
        "How long a node must have no pods before the autoscaler removes it (cluster-autoscaler's " +
        "scale-down-unneeded-time). A Go duration such as 30s, 10m or 1h.",
      pattern: names.duration,
      maxLength: 32,
      default: DEFAULT_SCALE_DOWN_DELAY,
      rules: durationBetween("autoScaling.scaleDownDelay", "1s", "24h"),
    }),
  },
  {
    description:
      "Let the autoscaler size the pool between min and max: pods the hosted cluster's kube-scheduler marks " +
      "Unschedulable grow it by the nodes they need, nodes empty for scaleDownDelay shrink it.",
    rules: [
      {
        rule: "self.min <= self.max",
        message: "autoScaling.min must be less than or equal to autoScaling.max",
      },
    ],
  },
);

export const nodePoolSpec = s.object(
  {
    clusterName: s
      .string({
        description: "Name of the HostedCluster, in the same namespace, the nodes join.",
        pattern: names.dnsSubdomain,
        minLength: 1,
        maxLength: 253,
        rules: [immutable("clusterName", "create a new NodePool for the other cluster")],
      })
      .required(),
    release: s.object(
      {
        version: kubernetesVersion("Kubernetes version of the nodes (kubelet).", {
          upgradeRules: true,
        }).required(),
      },
      { description: "Version of the nodes. Absent: the HostedCluster's version." },
    ),
    replicas: s.integer({
      description: "Fixed number of nodes. Mutually exclusive with autoScaling.",
      minimum: 0,
      maximum: 1000,
    }),
    autoScaling: nodePoolAutoScalingSpec,
    management: nodePoolManagement,
    platform: nodePoolPlatform(),
    nodeLabels: labels("Labels put on every node."),
    taints: s.array(taint, { description: "Taints put on every node.", maxItems: 32 }),
  },
  {
    description: "A group of worker nodes of a HostedCluster that scales on its own.",
    rules: [
      {
        rule: "!(has(self.replicas) && has(self.autoScaling))",
        message: "replicas and autoScaling are mutually exclusive: remove one of them",
      },
      {
        rule: "has(self.replicas) || has(self.autoScaling)",
        message: "set replicas (a fixed size) or autoScaling (min and max)",
      },
    ],
  },
);

export const nodePoolAutoscalingStatus = s.object(
  {
    min: s.integer({ description: "spec.autoScaling.min the decision used.", minimum: 0 }),
    max: s.integer({ description: "spec.autoScaling.max the decision used.", minimum: 0 }),
    desiredReplicas: s.integer({ description: "Nodes the autoscaler wants.", minimum: 0 }),
    reason: s.string({
      description:
        "The last decision in cluster-autoscaler's words: ScaledUpGroup, ScaleDown, NotTriggerScaleUp, " +
        "ScaleDownCandidatesPresent or NoActivity.",
      maxLength: 64,
    }),
    message: s.string({ description: "What the decision was and why.", maxLength: 4096 }),
    lastScaleUpTime: s.string({
      description: "When the autoscaler last grew the pool.",
      format: "date-time",
    }),
    lastScaleDownTime: s.string({
      description: "When the autoscaler last shrank the pool.",
      format: "date-time",
    }),
  },
  { description: "The autoscaler's last decision (only with spec.autoScaling)." },
);

export const nodePoolStatus = s.object(
  {
    conditions: conditions(),
    observedGeneration: observedGeneration(),
    desiredReplicas: s.integer({
      description: "Nodes the pool wants: spec.replicas, or the autoscaler's decision.",
      minimum: 0,
    }),
    replicas: s.integer({ description: "Nodes that exist.", minimum: 0 }),
    readyReplicas: s.integer({ description: "Nodes that are Ready.", minimum: 0 }),
    updatedReplicas: s.integer({ description: "Nodes at the wanted version.", minimum: 0 }),
    version: s.string({
      description: "Kubernetes version the nodes run (the oldest, while an upgrade rolls).",
      maxLength: 64,
    }),
    platform: s.enum(PLATFORMS, { description: "The platform spec.platform names, for printing." }),
    lastScaleTime: s.string({ description: "When nodes were last added or removed.", format: "date-time" }),
    autoscaling: nodePoolAutoscalingStatus,
    nodes: s.enum(["APIObjects", "StatusOnly", "ProviderNodeGroup"], {
      description:
        "What the pool's nodes are: APIObjects (Node objects in the hosted cluster's API, simulated: no kubelet, so " +
        "pods bind but never run), StatusOnly (a simulated HostedCluster has no API: the nodes are these counts) " +
        "or ProviderNodeGroup (a cloud's node group of machines that join the hosted API, made by the pool's stack).",
    }),
    stack: stackStatus(),
  },
  { description: "Observed state of the pool's nodes." },
);

export type NodePoolSpec = Infer<typeof nodePoolSpec>;
export type NodePoolSpecInput = InferInput<typeof nodePoolSpec>;
export type NodePoolStatus = Infer<typeof nodePoolStatus>;
export type NodePool = CustomResource<"NodePool", NodePoolSpec, NodePoolStatus>;

export const nodePoolKind: KindDefinition = {
  kind: "NodePool",
  plural: "nodepools",
  shortNames: ["np"],
  description: "Worker nodes of a HostedCluster, scaled on their own (fixed replicas or autoscaling).",
  spec: nodePoolSpec,
  status: nodePoolStatus,
  // kubectl scale np/<name> --replicas=N writes spec.replicas; on an autoscaled pool admission refuses it
  // (replicas and autoScaling are mutually exclusive).
  scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
  printerColumns: [
    { name: "Cluster", type: "string", jsonPath: ".spec.clusterName" },
    { name: "Desired", type: "integer", jsonPath: ".status.desiredReplicas" },
    { name: "Current", type: "integer", jsonPath: ".status.replicas" },
    { name: "ReadyNodes", type: "integer", jsonPath: ".status.readyReplicas" },
    { name: "Min", type: "integer", jsonPath: ".spec.autoScaling.min" },
    { name: "Max", type: "integer", jsonPath: ".spec.autoScaling.max" },
    { name: "AutoRepair", type: "boolean", jsonPath: ".spec.management.autoRepair", priority: 1 },
    { name: "Version", type: "string", jsonPath: ".status.version", priority: 1 },
    { name: "Autoscaler", type: "string", jsonPath: ".status.autoscaling.reason", priority: 1 },
    conditionColumn("Ready", "Ready"),
    messageColumn("Ready"),
    ageColumn,
  ],
  conditionTypes: {
    Ready: "The pool has the nodes it wants, at the wanted version (HyperShift).",
    Reconciling: "The controller is scaling or upgrading the pool.",
    Stalled:
      "The controller cannot make progress (for example the HostedCluster does not exist); reason says why.",
    AllNodesHealthy: "Every node of the pool is Ready and its lease is renewed (HyperShift).",
    AutoscalingEnabled: "spec.autoScaling is set: the autoscaler sizes the pool (HyperShift).",
    UpdatingVersion: "The nodes are moving to a new version (HyperShift).",
  },
};
