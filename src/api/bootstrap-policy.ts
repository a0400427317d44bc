import type { CustomResource } from "./object.js";
import { conditions, duration, labelSelector, observedGeneration } from "./common.js";
import { CLUSTER_KINDS, clusterEntryKind } from "./cluster-view.js";
import { ageColumn, type KindDefinition } from "./crd.js";
import { protectedObjectRules } from "./protected-objects.js";
import { s, type Infer, type InferInput } from "./schema.js";

export const COMPLIANCE_STATES = ["Compliant", "NonCompliant", "Pending", "Unknown"] as const;

/**
 * The largest object template, serialized, that a policy may carry. CEL cannot see the fields of an embedded
 * resource beyond apiVersion, kind and metadata's name and namespace, so admission cannot measure it; the controller refuses a
 * larger one with condition Stalled, reason ObjectTooLarge. etcd keeps an object under 1.5 MiB, and every
 * policy also carries one status entry per cluster.
 */
export const MAX_OBJECT_TEMPLATE_BYTES = 256 * 1024;
/** The largest total of a policy's object templates, serialized. */
export const MAX_OBJECT_TEMPLATES_BYTES = 512 * 1024;

export const objectTemplate = s.object(
  {
    complianceType: s.enum(["musthave", "mustonlyhave", "mustnothave"], {
      description:
        "musthave: the object exists with at least these fields; mustonlyhave: it exists with exactly these " +
        "fields; mustnothave: no object matching them exists (OCM ConfigurationPolicy semantics).",
      default: "musthave",
    }),
    objectDefinition: s
      .embeddedResource({
        description:
          "The Kubernetes object, with apiVersion, kind and metadata.name (and namespace if namespaced). At " +
          "most 256 KiB serialized, 512 KiB for all templates of a policy.",
        rules: [
          {
            rule: "has(self.metadata) && has(self.metadata.name) && size(self.metadata.name) > 0",
            message:
              "objectDefinition must have metadata.name, the name of the object on each cluster (for example " +
              "baseline); objects without a name are not supported",
          },
        ],
      })
      .required(),
  },
  { description: "One object the cluster must (or must not) have." },
);

/**
 * A staged enforce: OCM's progressive policy rollout (Placement decisionStrategy, rolloutStrategy Progressive with
 * maxConcurrency and maxFailures) made small. A new generation of an enforce policy reaches at most maxConcurrent
 * clusters at once, the next only once those are Compliant; the first that fails pauses it.
 */
export const policyRollout = s.object(
  {
    maxConcurrent: s
      .intOrString({
        description:
          "Clusters at most that get a new generation of the policy at once (evaluated and enforced, and not yet " +
          "Compliant with it): a number, or a percentage of the selected clusters (rounded down, at least 1). " +
          "The next cluster gets it only once one of these is Compliant.",
        rules: [
          {
            rule: "type(self) == int ? self >= 1 && self <= 100000 : self.matches(r'^(100|[1-9][0-9]?)%$')",
            message:
              "must be a number of clusters from 1 to 100000 or a percentage of the selected clusters from 1% to " +
              "100% (for example 1 or 10%)",
          },
        ],
      })
      .required(),
    pauseOnFailure: s.boolean({
      description:
        "Stop at the first cluster that fails after it got the new generation (NonCompliant after its enforce, " +
        "the evaluation failed, or its Ready or Joined turned False since): no other cluster gets it until the " +
        "spec changes again. false: a failed cluster only leaves its place to the next one.",
      default: true,
    }),
  },
  {
    description:
      "Roll a new generation of an enforce policy out a few clusters at a time (inform policies change nothing " +
      "and are evaluated everywhere at once). Absent: every selected cluster at once, paced only by " +
      "SLIPWAY_POLICY_EVALUATIONS_PER_SECOND.",
  },
);

export const bootstrapPolicySpec = s.object(
  {
    clusterSelector: labelSelector(
      "Selects clusters by their registration labels (spec.registration.labels and the cluster-set label), " +
        "like an OCM Placement. Empty: every cluster in the policy's namespace.",
    ),
    remediationAction: s.enum(["inform", "enforce"], {
      description:
        "inform reports compliance only; enforce also creates, updates or deletes objects to comply.",
      default: "inform",
    }),
    severity: s.enum(["low", "medium", "high", "critical"], {
      description: "How serious a violation is.",
      default: "low",
    }),
    disabled: s.boolean({ description: "Stop evaluating the policy; its status is kept.", default: false }),
    evaluationInterval: duration(
      "How often compliance is re-evaluated on each cluster (besides after every resume). Absent: the controller's default.",
      "evaluationInterval",
      "10s",
    ),
    objectTemplates: s
      .array(objectTemplate, {
        description: "The objects the policy is about, evaluated in order.",
        minItems: 1,
        maxItems: 64,
      })
      .required(),
    rollout: policyRollout,
  },
  {
    description: "What every matching cluster must have once it exists.",
    rules: protectedObjectRules(),
  },
);

export const policyClusterStatus = s.object({
  kind: clusterEntryKind(),
  name: s
    .string({
      description: "metadata.name of the cluster's ClusterDeployment or HostedCluster.",
      maxLength: 253,
    })
    .required(),
  namespace: s.string({
    description: "Namespace of the cluster's ClusterDeployment or HostedCluster.",
    maxLength: 63,
  }),
  compliant: s.enum(COMPLIANCE_STATES, { description: "Compliance of the cluster." }).required(),
  message: s.string({ description: "Which objects violate the policy, or what was done.", maxLength: 4096 }),
  lastEvaluated: s.dateTime({ description: "When the policy was last evaluated on the cluster." }),
  generation: s.integer({
    description: "The policy's .metadata.generation that lastEvaluated evaluated.",
    format: "int64",
    minimum: 0,
  }),
});

export const policyRolloutStatus = s.object(
  {
    generation: s
      .integer({
        description: "The policy generation the rollout is for.",
        format: "int64",
        minimum: 0,
      })
      .required(),
    pausedCluster: s.string({
      description: "The cluster whose failure paused the rollout of this generation.",
      maxLength: 253,
    }),
    pausedClusterKind: s.enum(CLUSTER_KINDS, {
      description: "Kind of pausedCluster.",
    }),
    pausedAt: s.dateTime({ description: "When the rollout paused." }),
    message: s.string({ description: "Why it paused: the cluster and the cause.", maxLength: 4096 }),
  },
  {
    description:
      "Where the rollout of the current generation stands (spec.rollout, enforce only); a pause holds until the " +
      "spec changes.",
  },
);

export const bootstrapPolicyStatus = s.object(
  {
    conditions: conditions(),
    observedGeneration: observedGeneration(),
    compliant: s.enum(COMPLIANCE_STATES, {
      description:
        "Compliant when every matching cluster is; NonCompliant when one is not; Pending before the first evaluation.",
    }),
    clusters: s.array(policyClusterStatus, {
      description: "One entry per matching cluster, by kind and name.",
      listType: "map",
      listMapKeys: ["kind", "name"],
    }),
    rollout: policyRolloutStatus,
  },
  { description: "Compliance of the matching clusters." },
);

export type ObjectTemplate = Infer<typeof objectTemplate>;
export type ComplianceState = (typeof COMPLIANCE_STATES)[number];
export type BootstrapPolicySpec = Infer<typeof bootstrapPolicySpec>;
export type BootstrapPolicySpecInput = InferInput<typeof bootstrapPolicySpec>;
export type BootstrapPolicyStatus = Infer<typeof bootstrapPolicyStatus>;
export type PolicyClusterStatus = Infer<typeof policyClusterStatus>;
export type PolicyRollout = Infer<typeof policyRollout>;
export type PolicyRolloutStatus = Infer<typeof policyRolloutStatus>;
export type BootstrapPolicy = CustomResource<"BootstrapPolicy", BootstrapPolicySpec, BootstrapPolicyStatus>;

export const bootstrapPolicyKind: KindDefinition = {
  kind: "BootstrapPolicy",
  plural: "bootstrappolicies",
  shortNames: ["bp"],
  description:
    "Objects every matching cluster must (or must not) have, checked and optionally enforced on each spoke.",
  spec: bootstrapPolicySpec,
  status: bootstrapPolicyStatus,
  printerColumns: [
    { name: "Remediation", type: "string", jsonPath: ".spec.remediationAction" },
    { name: "Severity", type: "string", jsonPath: ".spec.severity" },
    { name: "Compliant", type: "string", jsonPath: ".status.compliant" },
    ageColumn,
  ],
  conditionTypes: {
    Ready:
      "The policy has been evaluated on every matching cluster (False, reason RollingOut or RolloutPaused, while " +
      "spec.rollout holds clusters back).",
    Reconciling: "Evaluations are under way.",
    Stalled:
      "The policy cannot be evaluated (an object template is too large, or would delete or rewrite an object " +
      "Slipway protects: reason ProtectedObject).",
  },
};
