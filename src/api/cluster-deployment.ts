import type { CustomResource } from "./object.js";
import {
  conditions,
  duration,
  immutable,
  labels,
  localObjectReference,
  names,
  observedGeneration,
} from "./common.js";
import { bootstrapStatus, powerStatus, registrationStatus, stackStatus } from "./operation-status.js";
import { ageColumn, conditionColumn, messageColumn, type KindDefinition } from "./crd.js";
import { clusterPlatform, PLATFORMS, type PlatformOptions } from "./platform.js";
import { gcpClusterNameRule } from "./platforms/gcp.js";
import { s, type Infer, type InferInput } from "./schema.js";

export const hibernationSchedule = s.object(
  {
    start: s.string({
      description: "Cron expression (5 fields) of when to hibernate, in location's time zone. Absent: never.",
      pattern: names.cron,
      maxLength: 128,
    }),
    end: s.string({
      description: "Cron expression (5 fields) of when to resume, in location's time zone. Absent: never.",
      pattern: names.cron,
      maxLength: 128,
    }),
    location: s.string({
      description: "IANA time zone the cron expressions are read in.",
      pattern: names.timeZone,
      maxLength: 64,
      default: "UTC",
    }),
  },
  {
    description: "One hibernation window (Gardener semantics).",
    rules: [
      {
        rule: "has(self.start) || has(self.end)",
        message: "a hibernation schedule needs start, end or both",
      },
      {
        rule: "!has(self.start) || !has(self.end) || self.start != self.end",
        message:
          "start and end are the same time, and a start and an end at the same moment hibernate: the cluster would " +
          "sleep and never wake. Give end another time, or leave end out if the schedule should only put the " +
          "cluster to sleep",
      },
    ],
  },
);

export type HibernationSchedule = Infer<typeof hibernationSchedule>;

export const hibernation = () =>
  s.object(
    {
      schedules: s.array(hibernationSchedule, {
        description:
          "Windows when the cluster sleeps; a start hibernates it, an end resumes it. Windows that would put the " +
          "cluster to sleep with no wake following are refused, or reported as Scheduled=False " +
          "(ScheduleStrandsCluster) and not acted on.",
        maxItems: 16,
        rules: [
          {
            rule: "self.all(a, self.filter(b, b == a).size() == 1)",
            message:
              "two hibernation schedules are the same (same start, end and location): remove the duplicate",
          },
        ],
      }),
    },
    { description: "Scheduled hibernation, as Gardener's spec.hibernation." },
  );

export const registration = () =>
  s.object(
    {
      enabled: s.boolean({
        description:
          "Register the cluster with the hub as an OCM ManagedCluster once it is provisioned. false deregisters it " +
          "(ManagedCluster, its hub namespace and bootstrap RBAC are removed, the agent stopped).",
        default: true,
      }),
      clusterSet: s.string({
        description:
          "OCM ManagedClusterSet the cluster joins (label cluster.open-cluster-management.io/clusterset).",
        pattern: names.dnsLabel,
        maxLength: 63,
        default: "default",
      }),
      labels: labels("Labels of the hub's ManagedCluster; BootstrapPolicies select clusters by them."),
    },
    { description: "How the cluster is registered with the hub (an OCM ManagedCluster).", default: {} },
  );

/**
 * Set to "true" on a ClusterDeployment whose destroy cannot succeed to release it without destroying (Hive's
 * hive.openshift.io/abandon-deprovision): the finalizer goes and the stack (and what it created) is left behind.
 */
export const ABANDON_DEPROVISION_ANNOTATION = "slipway.dev/abandon-deprovision";

export const POWER_STATES = ["Running", "Hibernating"] as const;

/**
 * Desired power of "a cluster" (a ClusterDeployment or a HostedCluster): the fields the power controller and
 * `slipway hibernate`/`resume` act on, one schema for both kinds.
 */
export const clusterPowerSpecFields = () => ({
  powerState: s.enum(POWER_STATES, {
    description: "Desired power state. Hibernating stops the cluster and keeps its data.",
    default: "Running",
  }),
  hibernateAfter: duration(
    "Hibernate the cluster after it has run this long since its last resume.",
    "hibernateAfter",
    "1m",
  ),
});

/** Fields a ClusterDeployment shares with a ClusterPool's template. */
export function clusterTemplateShape(opts: PlatformOptions) {
  return {
    platform: clusterPlatform(opts),
    hibernation: hibernation(),
    registration: registration(),
    preserveOnDelete: s.boolean({
      description: "Keep the cloud resources when the ClusterDeployment is deleted (deregister only).",
      default: false,
    }),
  };
}

export const clusterPoolReference = s.object(
  {
    namespace: s
      .string({
        description: "Namespace of the ClusterPool.",
        pattern: names.dnsLabel,
        maxLength: 63,
        rules: [immutable("clusterPoolRef.namespace", "a cluster stays with the pool that created it")],
      })
      .required(),
    poolName: s
      .string({
        description: "Name of the ClusterPool.",
        maxLength: 253,
        rules: [immutable("clusterPoolRef.poolName", "a cluster stays with the pool that created it")],
      })
      .required(),
    claimName: s.string({
      description: "Name of the ClusterClaim the cluster is assigned to.",
      maxLength: 253,
    }),
    claimedTimestamp: s.dateTime({ description: "When the cluster was assigned to the claim." }),
  },
  {
    description: "Set by the ClusterPool controller on the clusters it creates.",
    rules: [
      {
        rule: "!has(oldSelf.claimName) || (has(self.claimName) && self.claimName == oldSelf.claimName)",
        message: "clusterPoolRef.claimName cannot change once set: a claimed cluster stays with its claim",
      },
    ],
  },
);

export type ClusterPoolReference = Infer<typeof clusterPoolReference>;

export const clusterDeploymentSpec = s
  .object(
    {
      clusterName: s
        .string({
          description:
            "Name of the cluster on its platform (EKS/AKS/GKE cluster name, VM name prefix). A DNS-1123 label: " +
            "lower-case letters, digits and '-', at most 63 characters (40 on gcp).",
          pattern: names.dnsLabel,
          minLength: 1,
          maxLength: 63,
          rules: [immutable("clusterName", "create a new ClusterDeployment to rename a cluster")],
        })
        .required(),
      ...clusterTemplateShape({ immutable: true }),
      ...clusterPowerSpecFields(),
      clusterPoolRef: clusterPoolReference,
    },
    {
      description: "Desired state of a cluster.",
      rules: [
        gcpClusterNameRule,
        {
          rule: "has(self.clusterPoolRef) == has(oldSelf.clusterPoolRef)",
          message:
            "clusterPoolRef is set by a ClusterPool when it creates the cluster and cannot be added or removed later",
        },
      ],
    },
  )
  .required();

export const CLUSTER_POWER_STATES = [
  "Pending",
  "Provisioning",
  "Running",
  "Stopping",
  "Hibernating",
  "Starting",
  "Deprovisioning",
  "Unknown",
] as const;

/**
 * Observed state of "a cluster" (a ClusterDeployment or a HostedCluster) that registration, bootstrap, power and
 * failover read and write: one schema for both kinds, each field owned by one controller.
 */
export const clusterLifecycleStatusFields = () => ({
  powerState: s.enum(CLUSTER_POWER_STATES, {
    description:
      "Observed power state; Provisioning, Stopping, Starting and Deprovisioning are transitions, Pending is " +
      "before the first operation.",
  }),
  apiURL: s.string({ description: "URL of the cluster's Kubernetes API.", maxLength: 2048 }),
  registration: registrationStatus(),
  bootstrap: bootstrapStatus(),
  power: powerStatus(),
  provisionedAt: s.dateTime({ description: "When the first provision finished." }),
  lastResumedAt: s.dateTime({ description: "When the cluster last became Running after hibernation." }),
  lastHibernatedAt: s.dateTime({ description: "When the cluster last finished hibernating." }),
});

export const clusterDeploymentStatus = s.object(
  {
    conditions: conditions(),
    observedGeneration: observedGeneration(),
    platform: s.enum(PLATFORMS, { description: "The platform spec.platform names, for printing." }),
    region: s.string({
      description: "The region of the platform, if it has one, for printing.",
      maxLength: 63,
    }),
    version: s.string({ description: "Kubernetes version the cluster runs.", maxLength: 64 }),
    ...clusterLifecycleStatusFields(),
    adminKubeconfigSecretRef: localObjectReference(
      "Secret (key kubeconfig) holding the admin kubeconfig, owned by the ClusterDeployment.",
    ),
    infraID: s.string({
      description: "Unique id of the cluster's infrastructure (stack name, resource name prefix).",
      maxLength: 253,
    }),
    stack: stackStatus(),
  },
  { description: "Observed state of the cluster, written by the controller." },
);

export type ClusterDeploymentSpec = Infer<typeof clusterDeploymentSpec>;
export type ClusterDeploymentSpecInput = InferInput<typeof clusterDeploymentSpec>;
export type ClusterDeploymentStatus = Infer<typeof clusterDeploymentStatus>;
export type ClusterDeployment = CustomResource<
  "ClusterDeployment",
  ClusterDeploymentSpec,
  ClusterDeploymentStatus
>;
export type PowerState = (typeof POWER_STATES)[number];
export type ClusterPowerState = (typeof CLUSTER_POWER_STATES)[number];

export const clusterDeploymentKind: KindDefinition = {
  kind: "ClusterDeployment",
  plural: "clusterdeployments",
  shortNames: ["cd"],
  description:
    "A Kubernetes cluster Slipway provisions, hibernates, resumes and destroys on one platform, then registers " +
    "with the hub and bootstraps.",
  spec: clusterDeploymentSpec,
  status: clusterDeploymentStatus,
  printerColumns: [
    { name: "Platform", type: "string", jsonPath: ".status.platform" },
    { name: "Region", type: "string", jsonPath: ".status.region" },
    { name: "Version", type: "string", jsonPath: ".status.version", priority: 1 },
    { name: "PowerState", type: "string", jsonPath: ".status.powerState" },
    conditionColumn("Ready", "Ready"),
    conditionColumn("Registered", "Registered"),
    conditionColumn("Joined", "Joined"),
    { name: "Operation", type: "string", jsonPath: ".status.stack.type", priority: 1 },
    { name: "Progress", type: "integer", jsonPath: ".status.stack.progress.percent", priority: 1 },
    { name: "API URL", type: "string", jsonPath: ".status.apiURL", priority: 1 },
    { name: "InfraID", type: "string", jsonPath: ".status.infraID", priority: 1 },
    messageColumn("Ready"),
    ageColumn,
  ],
  conditionTypes: {
    Ready:
      "Summary of InfrastructureReady and Provisioned (Registered and Bootstrapped join with their controllers).",
    Reconciling: "The controller is working towards the desired state (set with Ready=False).",
    Stalled:
      "The controller cannot make progress until the spec or the environment changes; reason says why.",
    InfrastructureReady:
      "The stack holds what the spec asks for, with no operation in flight (reason ClusterRunning or Hibernating).",
    Provisioned: "The cluster's infrastructure exists (the first up succeeded).",
    Hibernating: "True while the cluster is hibernated or hibernating.",
    Registered:
      "Slipway's side of hub registration is done: ManagedCluster, its hub namespace, the cluster's bootstrap " +
      "identity and the spoke's agent material exist (reason Registered); RegistrationDisabled when " +
      "spec.registration.enabled is false.",
    Joined:
      "OCM's verdict, mirrored: True when the ManagedCluster is ManagedClusterJoined and " +
      "ManagedClusterConditionAvailable (reason from OCM); a hibernating cluster OCM cannot reach shows reason " +
      "Hibernating, as expected rather than a fault.",
    Bootstrapped: "Every matching BootstrapPolicy has been evaluated (and enforced) on the cluster.",
    Scheduled:
      "Written by the power controller: True when hibernation schedules or hibernateAfter are acted on (the message " +
      "has the next hibernate and wake times), False with the reason when they are not (none, invalid, skipped).",
    FieldsNotActedOn:
      "Present (True) when the spec sets fields this release accepts but does not act on yet; the message names them.",
  },
};
