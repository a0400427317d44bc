import type { CustomResource } from "./object.js";
import {
  clusterLifecycleStatusFields,
  clusterPowerSpecFields,
  hibernation,
  registration,
} from "./cluster-deployment.js";
import {
  conditions,
  DNS1123_SUBDOMAIN,
  immutable,
  kubernetesVersion,
  localObjectReference,
  observedGeneration,
} from "./common.js";
import { ageColumn, conditionColumn, messageColumn, type KindDefinition } from "./crd.js";
import { stackStatus } from "./operation-status.js";
import { HOSTED_CLUSTER_PLATFORMS, hostedClusterPlatform } from "./platform.js";
import { s, type Infer, type InferInput } from "./schema.js";

/** HyperShift's baseDomain is immutable too: the cluster's DNS names and certificates are made from it. */
const BASE_DOMAIN_HINT =
  "the cluster's DNS names are made from it; create a new HostedCluster in the other domain";

const cidrEntry = (description: string) =>
  s.object({ cidr: s.string({ description, format: "cidr", maxLength: 43 }).required() });

export const hostedClusterNetworking = s.object(
  {
    clusterNetwork: s.array(cidrEntry("A pod network CIDR."), {
      description: "Pod network CIDRs.",
      minItems: 1,
      maxItems: 2,
      default: [{ cidr: "10.132.0.0/14" }],
      rules: [immutable("networking.clusterNetwork", "create a new HostedCluster")],
    }),
    serviceNetwork: s.array(cidrEntry("A service network CIDR."), {
      description: "Service network CIDRs.",
      minItems: 1,
      maxItems: 2,
      default: [{ cidr: "172.31.0.0/16" }],
      rules: [immutable("networking.serviceNetwork", "create a new HostedCluster")],
    }),
  },
  { description: "Cluster networks (HyperShift's spec.networking).", default: {} },
);

export const hostedClusterSpec = s.object(
  {
    release: s
      .object(
        {
          version: kubernetesVersion("Kubernetes version of the hosted control plane.", {
            upgradeRules: true,
          }).required(),
        },
        { description: "What the control plane runs (HyperShift's release, as a Kubernetes version)." },
      )
      .required(),
    platform: hostedClusterPlatform(),
    controllerAvailabilityPolicy: s.enum(["SingleReplica", "HighlyAvailable"], {
      description: "Replicas of the control plane components: 1 or 3.",
      default: "SingleReplica",
      rules: [immutable("controllerAvailabilityPolicy", "create a new HostedCluster")],
    }),
    networking: hostedClusterNetworking,
    dns: s.object(
      {
        baseDomain: s.string({
          description: "Base domain of the cluster's DNS names.",
          pattern: {
            regex: DNS1123_SUBDOMAIN,
            words: "a DNS domain: lower-case labels joined with '.' (for example clusters.example.com)",
          },
          maxLength: 253,
          rules: [immutable("dns.baseDomain", BASE_DOMAIN_HINT)],
        }),
      },
      { description: "DNS of the hosted cluster." },
    ),
    registration: registration(),
    hibernation: hibernation(),
    ...clusterPowerSpecFields(),
  },
  {
    description: "Desired state of a hosted control plane; its workers come from NodePools naming it.",
    rules: [
      {
        // self == oldSelf on baseDomain runs only when both values exist: adding or removing it is refused here.
        rule: "(has(self.dns) && has(self.dns.baseDomain)) == (has(oldSelf.dns) && has(oldSelf.dns.baseDomain))",
        message: `dns.baseDomain cannot be added or removed once the HostedCluster exists: ${BASE_DOMAIN_HINT}`,
      },
    ],
  },
);

export const hostedClusterStatus = s.object(
  {
    conditions: conditions(),
    observedGeneration: observedGeneration(),
    platform: s.enum(HOSTED_CLUSTER_PLATFORMS, {
      description: "The platform spec.platform names, for printing.",
    }),
    version: s.string({ description: "Kubernetes version the control plane runs.", maxLength: 64 }),
    controlPlaneEndpoint: s.object(
      {
        host: s.string({ description: "Host of the API server.", maxLength: 253 }).required(),
        port: s.integer({ description: "Port of the API server.", minimum: 1, maximum: 65535 }).required(),
      },
      { description: "Where the control plane's API server listens." },
    ),
    kubeconfig: localObjectReference(
      "Secret (key kubeconfig) with the admin kubeconfig of the hosted cluster (HyperShift's name for what a " +
        "ClusterDeployment calls adminKubeconfigSecretRef).",
    ),
    infraID: s.string({ description: "Unique id of the cluster's infrastructure.", maxLength: 253 }),
    stack: stackStatus(),
    ...clusterLifecycleStatusFields(),
  },
  { description: "Observed state of the hosted control plane." },
);

export type HostedClusterSpec = Infer<typeof hostedClusterSpec>;
export type HostedClusterSpecInput = InferInput<typeof hostedClusterSpec>;
export type HostedClusterStatus = Infer<typeof hostedClusterStatus>;
export type HostedCluster = CustomResource<"HostedCluster", HostedClusterSpec, HostedClusterStatus>;

export const hostedClusterKind: KindDefinition = {
  kind: "HostedCluster",
  plural: "hostedclusters",
  shortNames: ["hc"],
  description:
    "A Kubernetes control plane hosted on the management side (HyperShift, Kamaji), with workers from NodePools.",
  spec: hostedClusterSpec,
  status: hostedClusterStatus,
  printerColumns: [
    { name: "Version", type: "string", jsonPath: ".status.version" },
    { name: "Platform", type: "string", jsonPath: ".status.platform", priority: 1 },
    { name: "KubeConfig", type: "string", jsonPath: ".status.kubeconfig.name" },
    { name: "PowerState", type: "string", jsonPath: ".status.powerState" },
    conditionColumn("Available", "Available"),
    conditionColumn("Progressing", "Progressing"),
    conditionColumn("Registered", "Registered", 1),
    conditionColumn("Joined", "Joined", 1),
    { name: "Endpoint", type: "string", jsonPath: ".status.controlPlaneEndpoint.host", priority: 1 },
    messageColumn("Available"),
    ageColumn,
  ],
  conditionTypes: {
    Ready: "Same as Available, for tools that look for Ready.",
    Reconciling: "The controller is working towards the desired state.",
    Stalled: "The controller cannot make progress; reason says why.",
    Available: "The control plane serves its API (HyperShift).",
    Progressing: "The control plane is being created or moving to a new version (HyperShift).",
    Degraded: "The control plane runs but something is wrong with it (HyperShift).",
    Hibernating: "True while the control plane is hibernated or hibernating.",
    Registered:
      "Written by the registration controller, as on a ClusterDeployment: Slipway's side of hub registration is " +
      "done; RegistrationDisabled when spec.registration.enabled is false.",
    Joined:
      "OCM's verdict on the ManagedCluster, mirrored by the registration controller (as on a ClusterDeployment).",
    Bootstrapped: "Every matching BootstrapPolicy has been evaluated (and enforced) on the cluster.",
    Scheduled:
      "Written by the power controller: True when hibernation schedules or hibernateAfter are acted on, False with " +
      "the reason when they are not.",
  },
};
