import type { CustomResource } from "./object.js";
import { clusterTemplateShape } from "./cluster-deployment.js";
import { conditions, duration, labels, names, observedGeneration } from "./common.js";
import { gcpPoolNameRule } from "./platforms/gcp.js";
import { ageColumn, conditionColumn, type KindDefinition } from "./crd.js";
import { s, type Infer, type InferInput } from "./schema.js";

/** Pool names leave room for the 6 characters ("-" and 5 random) of the clusters' generated names. */
export const POOL_NAME_MAX_LENGTH = 57;

export const clusterTemplate = s
  .object(clusterTemplateShape({ immutable: false }), {
    description:
      "The ClusterDeployment spec of the pool's clusters, without clusterName (generated), clusterPoolRef (set " +
      "by the pool), powerState and hibernateAfter (the pool decides them). Changing it marks existing " +
      "unclaimed clusters stale; they are replaced one at a time.",
  })
  .required();

export const claimLifetime = s.object(
  {
    default: duration("Lifetime of a claim that sets none.", "claimLifetime.default", "1m", "720h"),
    maximum: duration(
      "Upper bound of any claim's lifetime; longer ones are cut to it.",
      "claimLifetime.maximum",
      "1m",
      "720h",
    ),
  },
  {
    description: "How long claimed clusters live before they are deleted; counted from the assignment.",
    rules: [
      {
        rule:
          `!has(self.default) || !has(self.maximum) || !self.default.matches(r'${names.duration.regex}') || ` +
          `!self.maximum.matches(r'${names.duration.regex}') || duration(self.default) <= duration(self.maximum)`,
        message: "claimLifetime.default must not be longer than claimLifetime.maximum",
      },
    ],
  },
);

export const clusterPoolSpec = s.object(
  {
    size: s
      .integer({
        description: "Number of unclaimed clusters the pool keeps (running or hibernating).",
        minimum: 0,
        maximum: 1000,
      })
      .required(),
    maxSize: s.integer({
      description: "Upper bound on the pool's clusters, claimed and unclaimed. Absent: no bound.",
      minimum: 0,
      maximum: 10000,
    }),
    maxConcurrent: s.integer({
      description:
        "Upper bound on the pool's clusters being installed, deleted or replaced at once. Absent: no bound.",
      minimum: 1,
      maximum: 1000,
    }),
    runningCount: s.integer({
      description: "How many unclaimed clusters run; the rest hibernate until claimed.",
      minimum: 0,
      maximum: 1000,
      default: 0,
    }),
    template: clusterTemplate,
    hibernateAfter: duration(
      "Hibernate a claimed cluster after it has run this long since its last resume.",
      "hibernateAfter",
      "1m",
    ),
    claimLifetime,
    labels: labels("Labels put on the pool's ClusterDeployments (metadata.labels)."),
  },
  {
    description: "A pool of ready clusters claimed with ClusterClaims (Hive semantics).",
    rules: [
      {
        rule: "!has(self.maxSize) || self.maxSize >= self.size",
        message: "maxSize must be greater than or equal to size",
        fieldPath: ".maxSize",
      },
      {
        rule: "self.runningCount <= self.size",
        message: "runningCount must not exceed size",
        fieldPath: ".runningCount",
      },
    ],
  },
);

export const clusterPoolStatus = s.object(
  {
    conditions: conditions(),
    observedGeneration: observedGeneration(),
    size: s.integer({ description: "Unclaimed clusters that exist (any state).", minimum: 0 }),
    ready: s.integer({
      description: "Unclaimed clusters that are Running and bootstrapped: assignable now.",
      minimum: 0,
    }),
    standby: s.integer({
      description: "Unclaimed clusters that are hibernated and bootstrapped.",
      minimum: 0,
    }),
    installing: s.integer({ description: "Unclaimed clusters still provisioning.", minimum: 0 }),
    claimed: s.integer({ description: "Clusters assigned to claims.", minimum: 0 }),
    pendingClaims: s.integer({ description: "Claims waiting for a cluster.", minimum: 0 }),
    templateHash: s.string({
      description: "Hash of spec.template; clusters with another hash are stale.",
      maxLength: 128,
    }),
    usage: s.object(
      {
        runningSeconds: s.integer({
          description: "Seconds its clusters ran, summed.",
          format: "int64",
          minimum: 0,
        }),
        hibernatedSeconds: s.integer({
          description: "Seconds its clusters were hibernated, summed.",
          format: "int64",
          minimum: 0,
        }),
        savedSeconds: s.integer({
          description: "Of hibernatedSeconds, those hibernation schedules and hibernateAfter saved.",
          format: "int64",
          minimum: 0,
        }),
      },
      {
        description:
          "The cost counters (status.power.usage) of the pool's current clusters, claimed ones included, summed as " +
          "each last stored them; `slipway get pools` shows them in hours up to now.",
      },
    ),
    brokenReplacements: s.array(
      s.dateTime({ description: "When a broken cluster was deleted for replacement." }),
      {
        description:
          "Replacements of broken clusters within the last hour: the pool replaces at most 6 an hour, waiting 1, 2, " +
          "4 ... minutes between them, so a fault that breaks every new cluster cannot make it churn.",
        maxItems: 32,
      },
    ),
  },
  { description: "Observed state of the pool." },
);

export type ClusterPoolSpec = Infer<typeof clusterPoolSpec>;
export type ClusterPoolSpecInput = InferInput<typeof clusterPoolSpec>;
export type ClusterPoolStatus = Infer<typeof clusterPoolStatus>;
export type ClusterTemplate = Infer<typeof clusterTemplate>;
export type ClaimLifetime = Infer<typeof claimLifetime>;
export type ClusterPool = CustomResource<"ClusterPool", ClusterPoolSpec, ClusterPoolStatus>;

export const clusterPoolKind: KindDefinition = {
  kind: "ClusterPool",
  plural: "clusterpools",
  shortNames: ["cp"],
  description: "A pool of clusters kept ready (running or hibernating) to be claimed in about a second.",
  spec: clusterPoolSpec,
  status: clusterPoolStatus,
  rules: [
    {
      rule: `self.metadata.name.size() <= ${POOL_NAME_MAX_LENGTH}`,
      message: `ClusterPool names are at most ${POOL_NAME_MAX_LENGTH} characters so the clusters' generated names fit in 63`,
    },
    gcpPoolNameRule,
  ],
  scale: { specReplicasPath: ".spec.size", statusReplicasPath: ".status.size" },
  printerColumns: [
    { name: "Size", type: "integer", jsonPath: ".spec.size" },
    { name: "Running", type: "integer", jsonPath: ".spec.runningCount", priority: 1 },
    { name: "Ready", type: "integer", jsonPath: ".status.ready" },
    { name: "Standby", type: "integer", jsonPath: ".status.standby" },
    { name: "Installing", type: "integer", jsonPath: ".status.installing", priority: 1 },
    { name: "Claimed", type: "integer", jsonPath: ".status.claimed" },
    conditionColumn("Healthy", "Ready", 1),
    ageColumn,
  ],
  conditionTypes: {
    Ready: "Summary of Populated: the pool holds size unclaimed clusters, none of them broken or stale.",
    Reconciling: "The pool is adding, replacing or deleting clusters.",
    Stalled: "The pool cannot make progress (for example the template names a missing Secret).",
    Populated:
      "The pool holds size installed unclaimed clusters, none broken, stale, installing or in excess.",
    CapacityAvailable: "False when maxSize stops the pool from adding clusters for pending claims.",
    AllClustersCurrent: "False while unclaimed clusters built from an older template are being replaced.",
    FieldsNotActedOn:
      "Present (True) when the pool sets fields this release accepts but does not act on yet; the message names them.",
  },
};
