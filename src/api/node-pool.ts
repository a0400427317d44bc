import type { CustomResource } from "./object.js";
import { conditions, immutable, kubernetesVersion, labels, names, observedGeneration } from "./common.js";
import { ageColumn, conditionColumn, messageColumn, type KindDefinition } from "./crd.js";
import { nodePoolPlatform, PLATFORMS } from "./platform.js";
import { nodePoolAutoScaling, taint } from "./platform-fields.js";
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
    autoScaling: nodePoolAutoScaling,
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

export const nodePoolStatus = s.object(
  {
    conditions: conditions(),
    observedGeneration: observedGeneration(),
    replicas: s.integer({ description: "Nodes that exist.", minimum: 0 }),
    readyReplicas: s.integer({ description: "Nodes that are Ready.", minimum: 0 }),
    version: s.string({ description: "Kubernetes version the nodes run.", maxLength: 64 }),
    platform: s.enum(PLATFORMS, { description: "The platform spec.platform names, for printing." }),
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
  scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
  printerColumns: [
    { name: "Cluster", type: "string", jsonPath: ".spec.clusterName" },
    { name: "Desired", type: "integer", jsonPath: ".spec.replicas" },
    { name: "Current", type: "integer", jsonPath: ".status.replicas" },
    { name: "Min", type: "integer", jsonPath: ".spec.autoScaling.min", priority: 1 },
    { name: "Max", type: "integer", jsonPath: ".spec.autoScaling.max", priority: 1 },
    { name: "AutoRepair", type: "boolean", jsonPath: ".spec.management.autoRepair", priority: 1 },
    { name: "Version", type: "string", jsonPath: ".status.version", priority: 1 },
    conditionColumn("Ready", "Ready"),
    messageColumn("Ready"),
    ageColumn,
  ],
  conditionTypes: {
    Ready: "The pool has the nodes it wants, at the wanted version (HyperShift).",
    Reconciling: "The controller is scaling or upgrading the pool.",
    Stalled:
      "The controller cannot make progress (for example the HostedCluster does not exist); reason says why.",
    AllNodesHealthy: "Every node of the pool is healthy (HyperShift).",
  },
};
