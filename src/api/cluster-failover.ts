import type { CustomResource } from "./object.js";
import { clusterEntryKind } from "./cluster-view.js";
import { conditions, duration, labelSelector, names, observedGeneration } from "./common.js";
import { ageColumn, conditionColumn, messageColumn, type KindDefinition } from "./crd.js";
import { s, type Infer, type InferInput } from "./schema.js";

/**
 * On every ClusterDeployment a ClusterFailover resumed: the failover's name. While it is there the cluster stays
 * Running: a pool's runningCount does not hibernate it and the power controller's schedules and hibernateAfter
 * skip it. Remove the annotation to hand the cluster back to them (a failback removes it from the clusters it
 * hibernates).
 */
export const FAILOVER_ANNOTATION = "slipway.dev/failover";

/** Default label or annotation whose integer value orders the resumes: higher first. */
export const DEFAULT_PRIORITY_KEY = "slipway.dev/failover-priority";

const labelKey = (description: string) =>
  s.string({ description, minLength: 1, maxLength: 317, pattern: names.labelKey });

/** A set of ClusterDeployments in the failover's namespace: a pool's clusters, or a label selector. */
export const clusterSet = (description: string) =>
  s.object(
    {
      poolName: s.string({
        description: "Name of a ClusterPool in the failover's namespace: every cluster the pool created.",
        pattern: names.dnsLabel,
        minLength: 1,
        maxLength: 63,
      }),
      selector: labelSelector("Selects ClusterDeployments of the failover's namespace by their labels."),
    },
    {
      description,
      rules: [
        {
          rule: "has(self.poolName) != has(self.selector)",
          message: "name the clusters with exactly one of poolName and selector",
        },
      ],
    },
  );

/**
 * CEL: every cluster selector `narrow` matches, `broad` matches too (broad has no matchExpressions and each of its
 * matchLabels is in narrow's with the same value). Two such sets overlap wherever the narrow one matches anything.
 */
const covers = (broad: string, narrow: string) =>
  `((!has(${broad}.matchExpressions) || size(${broad}.matchExpressions) == 0) && ` +
  `(!has(${broad}.matchLabels) || ${broad}.matchLabels.all(k, has(${narrow}.matchLabels) && ` +
  `k in ${narrow}.matchLabels && ${narrow}.matchLabels[k] == ${broad}.matchLabels[k])))`;

const sameClusters =
  "the failover would hibernate the clusters it resumes, and its failback part would do nothing";

/** Standby and primary must not name the same clusters where the names show it; otherwise StandbyPrimaryOverlap. */
const standbyPrimaryRules = [
  {
    rule:
      "!has(self.primary) || !has(self.standby.poolName) || !has(self.primary.poolName) || " +
      "self.standby.poolName != self.primary.poolName",
    message:
      `standby and primary name the same pool: ${sameClusters}. Name the pool to fail over to in standby and ` +
      "the one to hibernate in primary",
  },
  {
    rule:
      "!has(self.primary) || !has(self.standby.selector) || !has(self.primary.selector) || " +
      `(!${covers("self.primary.selector", "self.standby.selector")} && ` +
      `!${covers("self.standby.selector", "self.primary.selector")})`,
    message:
      "every cluster one of standby.selector and primary.selector matches, the other matches too: " +
      `${sameClusters}. Give each a label the other set does not have (for example site: b for standby and ` +
      "site: a for primary)",
  },
];

export const FAILOVER_PHASES = [
  "Pending",
  "Running",
  "Cancelling",
  "Succeeded",
  "PartiallyFailed",
  "Failed",
  "Cancelled",
] as const;

export const FAILOVER_CLUSTER_STATES = ["Pending", "Resuming", "Ready", "Failed", "Cancelled"] as const;

export const clusterFailoverSpec = s.object(
  {
    standby: clusterSet(
      "The clusters to resume. Their membership is fixed when the failover starts.",
    ).required(),
    primary: clusterSet(
      "Optional: clusters to hibernate once every standby cluster is Ready (failback is the same resource " +
        "with standby and primary swapped).",
    ),
    maxConcurrent: s.integer({
      description: "Clusters resuming at once (asked to run and not Ready yet).",
      minimum: 1,
      maximum: 1000,
      default: 10,
    }),
    priorityKey: labelKey(
      "Label, or else annotation, of each ClusterDeployment whose integer value orders the resumes: higher " +
        "first, clusters without it last, then by name.",
    ),
    resumeTimeout: duration(
      "A cluster not Ready this long after it was asked to run is given up on (state Failed, reason " +
        "ResumeTimeout); its slot goes to the next. Default 30m.",
      "resumeTimeout",
      "1s",
      "24h",
    ),
    cancel: s.boolean({
      description:
        "Stop: no further cluster is resumed. Clusters already asked to run stay running; the rest stay " +
        "hibernated. Deleting the failover does the same.",
      default: false,
    }),
  },
  {
    description: "A one-shot DR failover: resume a standby set of clusters as fast as maxConcurrent allows.",
    rules: [
      {
        rule: "!has(oldSelf.cancel) || !oldSelf.cancel || self.cancel",
        message: "cancel cannot be undone: create a new ClusterFailover to resume the rest",
      },
      {
        rule:
          "self.standby == oldSelf.standby && (has(self.primary) == has(oldSelf.primary)) && " +
          "(!has(self.primary) || self.primary == oldSelf.primary)",
        message: "standby and primary are immutable: create a new ClusterFailover for another set",
      },
      ...standbyPrimaryRules,
    ],
  },
);

export const failoverClusterStatus = s.object(
  {
    kind: clusterEntryKind(),
    name: s
      .string({ description: "metadata.name of the ClusterDeployment or HostedCluster.", maxLength: 253 })
      .required(),
    state: s
      .enum(FAILOVER_CLUSTER_STATES, { description: "Where the cluster is in the failover." })
      .required(),
    priority: s.integer({ description: "The cluster's priority value, if it has one.", format: "int64" }),
    wasRunning: s.boolean({ description: "The cluster was running already; it needed no resume." }),
    resumeRequestedAt: s.dateTime({ description: "When the failover asked the cluster to run." }),
    readyAt: s.dateTime({ description: "When the failover saw the cluster Ready." }),
    reason: s.string({ description: "Why a Failed or Cancelled cluster ended so.", maxLength: 128 }),
    message: s.string({ description: "What is happening to the cluster, for people.", maxLength: 1024 }),
  },
  { description: "One cluster of the standby set." },
);

export const clusterFailoverStatus = s.object(
  {
    conditions: conditions(),
    observedGeneration: observedGeneration(),
    phase: s.enum(FAILOVER_PHASES, { description: "Where the failover is." }),
    startedAt: s.dateTime({ description: "When the controller started the failover (the RTO's start)." }),
    completedAt: s.dateTime({ description: "When every standby cluster ended Ready, Failed or Cancelled." }),
    rtoSeconds: s.number({
      description: "Achieved recovery time: from startedAt until the last standby cluster was Ready.",
      minimum: 0,
    }),
    total: s.integer({ description: "Clusters in the standby set.", minimum: 0 }),
    pending: s.integer({ description: "Clusters waiting for a slot.", minimum: 0 }),
    resuming: s.integer({ description: "Clusters asked to run and not Ready yet.", minimum: 0 }),
    ready: s.integer({ description: "Clusters Ready.", minimum: 0 }),
    failed: s.integer({ description: "Clusters given up on.", minimum: 0 }),
    cancelled: s.integer({ description: "Clusters left hibernated by a cancel.", minimum: 0 }),
    primaryHibernated: s.integer({
      description: "Primary clusters asked to hibernate once the standby set was Ready.",
      minimum: 0,
    }),
    clusters: s.array(failoverClusterStatus, {
      // Atomic: only the failover controller writes it, and per-entry managed fields would double the cost of
      // every status write of a failover of thousands of clusters.
      description: "Every standby cluster, in resume order (written whole by the failover controller).",
      maxItems: 10000,
    }),
  },
  { description: "Progress of the failover, written by the ClusterFailover controller." },
);

export type ClusterSet = Infer<ReturnType<typeof clusterSet>>;
export type ClusterFailoverSpec = Infer<typeof clusterFailoverSpec>;
export type ClusterFailoverSpecInput = InferInput<typeof clusterFailoverSpec>;
export type ClusterFailoverStatus = Infer<typeof clusterFailoverStatus>;
export type FailoverClusterStatus = Infer<typeof failoverClusterStatus>;
export type FailoverPhase = (typeof FAILOVER_PHASES)[number];
export type FailoverClusterState = (typeof FAILOVER_CLUSTER_STATES)[number];
export type ClusterFailover = CustomResource<"ClusterFailover", ClusterFailoverSpec, ClusterFailoverStatus>;

export const clusterFailoverKind: KindDefinition = {
  kind: "ClusterFailover",
  plural: "clusterfailovers",
  shortNames: ["cfo", "failover"],
  description:
    "A one-shot DR failover (like a Velero Restore): resumes every hibernated cluster of a standby set, at most " +
    "maxConcurrent at once in priority order, waits for each to be Ready, keeps them running and reports the " +
    "achieved recovery time.",
  spec: clusterFailoverSpec,
  status: clusterFailoverStatus,
  printerColumns: [
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    { name: "Ready", type: "integer", jsonPath: ".status.ready" },
    { name: "Total", type: "integer", jsonPath: ".status.total" },
    { name: "Resuming", type: "integer", jsonPath: ".status.resuming" },
    { name: "Failed", type: "integer", jsonPath: ".status.failed" },
    { name: "RTO", type: "number", jsonPath: ".status.rtoSeconds", description: "Seconds." },
    conditionColumn("Stalled", "Stalled", 1),
    messageColumn("Ready"),
    ageColumn,
  ],
  conditionTypes: {
    Ready:
      "True once every standby cluster is Ready (reason Succeeded) or the failover was cancelled (Cancelled).",
    Reconciling: "The failover is resuming clusters or waiting for them to be Ready.",
    Stalled:
      "The failover cannot start (its set matches nothing, its pool does not exist, another failover holds the " +
      "set, its standby and primary sets share clusters) or ended with clusters that did not come up (PartiallyFailed, Failed); the message says what to do.",
    Completed:
      "True once the failover ended; reason Succeeded, PartiallyFailed, Failed or Cancelled, message with the RTO.",
  },
};
