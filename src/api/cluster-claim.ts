import type { CustomResource } from "./object.js";
import {
  conditions,
  duration,
  immutable,
  localObjectReference,
  names,
  observedGeneration,
  subject,
} from "./common.js";
import { ageColumn, conditionColumn, type KindDefinition } from "./crd.js";
import { s, type Infer, type InferInput } from "./schema.js";

export const CLAIM_LIFETIME_MIN = "1m";
export const CLAIM_LIFETIME_MAX = "720h";

export const clusterClaimSpec = s.object(
  {
    clusterPoolName: s
      .string({
        description: "Name of the ClusterPool, in the claim's namespace, to take a cluster from.",
        pattern: names.dnsLabel,
        minLength: 1,
        maxLength: 63,
        rules: [immutable("clusterPoolName", "delete the claim and create one against the other pool")],
      })
      .required(),
    lifetime: duration(
      "How long the cluster lives once assigned; then the claim and its cluster are deleted. Absent: the pool's " +
        "claimLifetime.default, or forever. Cut to the pool's claimLifetime.maximum. May be extended.",
      "lifetime",
      CLAIM_LIFETIME_MIN,
      CLAIM_LIFETIME_MAX,
    ),
    subjects: s.array(subject, {
      description: "Users, groups and service accounts given cluster-admin on the assigned cluster.",
      maxItems: 32,
    }),
  },
  { description: "A request for one cluster from a ClusterPool." },
);

export const clusterClaimStatus = s.object(
  {
    conditions: conditions(),
    observedGeneration: observedGeneration(),
    clusterDeploymentRef: s.object(
      {
        namespace: s
          .string({ description: "Namespace of the assigned ClusterDeployment.", maxLength: 63 })
          .required(),
        name: s.string({ description: "Name of the assigned ClusterDeployment.", maxLength: 253 }).required(),
      },
      { description: "The ClusterDeployment assigned to the claim." },
    ),
    kubeconfigSecretRef: localObjectReference(
      "Secret in the claim's namespace (key kubeconfig) with a kubeconfig for the assigned cluster.",
    ),
    apiURL: s.string({ description: "URL of the assigned cluster's Kubernetes API.", maxLength: 2048 }),
    assignedAt: s.dateTime({ description: "When a cluster was assigned." }),
    expiresAt: s.dateTime({
      description: "When the claim and its cluster will be deleted (assignedAt + lifetime).",
    }),
  },
  { description: "Observed state of the claim." },
);

export type ClusterClaimSpec = Infer<typeof clusterClaimSpec>;
export type ClusterClaimSpecInput = InferInput<typeof clusterClaimSpec>;
export type ClusterClaimStatus = Infer<typeof clusterClaimStatus>;
export type ClusterClaim = CustomResource<"ClusterClaim", ClusterClaimSpec, ClusterClaimStatus>;

export const clusterClaimKind: KindDefinition = {
  kind: "ClusterClaim",
  plural: "clusterclaims",
  shortNames: ["claim"],
  description:
    "A claim on one cluster of a ClusterPool; its kubeconfig lands in a Secret in the claim's namespace.",
  spec: clusterClaimSpec,
  status: clusterClaimStatus,
  printerColumns: [
    { name: "Pool", type: "string", jsonPath: ".spec.clusterPoolName" },
    { name: "Cluster", type: "string", jsonPath: ".status.clusterDeploymentRef.name" },
    { name: "Namespace", type: "string", jsonPath: ".status.clusterDeploymentRef.namespace", priority: 1 },
    conditionColumn("Pending", "Pending", 1),
    conditionColumn("Running", "ClusterRunning"),
    // A future time printed as a date column shows "<invalid>", so the expiry prints as a timestamp.
    { name: "Expires", type: "string", jsonPath: ".status.expiresAt" },
    ageColumn,
  ],
  conditionTypes: {
    Ready:
      "Summary of Pending (negative: True blocks), ClusterRunning and KubeconfigAvailable: a cluster is assigned, " +
      "running, and its kubeconfig Secret exists.",
    Reconciling: "The claim is waiting for or setting up its cluster.",
    Stalled: "The claim cannot be satisfied (for example its pool does not exist).",
    Pending: "True until a cluster is assigned; reason says why it waits.",
    ClusterRunning: "The assigned cluster is Running (False while it resumes).",
    KubeconfigAvailable: "The claim's Secret holds the assigned cluster's kubeconfig.",
  },
};
