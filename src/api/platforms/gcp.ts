/**
 * The gcp platform's fields: spec.platform.gcp of a ClusterDeployment, a HostedCluster and a NodePool, composed
 * into the API by src/api/platform.ts. The API owns the wire format; stacks/<platform> imports this fragment.
 */
import {
  cloudPoolFields,
  credentialsRef,
  fixedOnceCreated,
  nodePoolName,
  presenceFixed,
  nodePools,
  region,
  version,
  type PlatformOptions,
} from "../platform-fields.js";
import { s, type Infer, type ValidationRule } from "../schema.js";

/** GKE cluster names are at most 40 characters: a ClusterDeployment's rule. */
export const gcpClusterNameRule: ValidationRule = {
  rule: "!has(self.platform.gcp) || self.clusterName.size() <= 40",
  message: "clusterName must be at most 40 characters on gcp (a GKE limit)",
  fieldPath: ".clusterName",
};

/** A gcp pool's name leaves room for the 6 characters of its clusters' generated names within GKE's 40. */
export const GCP_POOL_NAME_MAX_LENGTH = 34;

/** A ClusterPool's rule (on the whole object, since it reads metadata.name). */
export const gcpPoolNameRule: ValidationRule = {
  rule: `!has(self.spec.template.platform.gcp) || self.metadata.name.size() <= ${GCP_POOL_NAME_MAX_LENGTH}`,
  message: `a gcp ClusterPool name is at most ${GCP_POOL_NAME_MAX_LENGTH} characters so the generated GKE cluster names fit in 40`,
};

const GCP_REGION = {
  regex: "^[a-z]+-[a-z]+[0-9]+$",
  words: "a GCP region: a continent, a direction and a number (for example europe-west1)",
};
const GCP_PROJECT = {
  regex: "^[a-z][-a-z0-9]{4,28}[a-z0-9]$",
  words:
    "a GCP project ID: 6 to 30 lower-case letters, digits and '-', starting with a letter (for example fleet-prod-1)",
};
const GCP_LABEL_VALUE = {
  regex: "^[-a-z0-9_]*$",
  words: "a GCP label value: lower-case letters, digits, '-' and '_' (for example team-a)",
};

export const gcpNodePool = s.object({
  name: nodePoolName(40),
  ...cloudPoolFields(),
  replicas: s.integer({
    description:
      "Nodes per zone of the region while the cluster runs (GKE counts a regional pool's nodes per zone: 3 zones " +
      "and 2 replicas are 6 nodes); autoScaling's bounds are per zone too. Hibernation scales every pool to zero.",
    minimum: 0,
    maximum: 1000,
    default: 2,
  }),
  machineType: s.string({
    description: "Compute Engine machine type.",
    maxLength: 64,
    default: "e2-standard-4",
  }),
  diskSizeGiB: s.integer({ description: "Boot disk size.", minimum: 10, maximum: 65536, default: 50 }),
});

export const gcpPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: region("GCP region, for example europe-west1.", GCP_REGION, opts),
      projectID: s.string({
        description: "GCP project. Absent: the project of the credentials.",
        pattern: GCP_PROJECT,
        maxLength: 30,
        rules: fixedOnceCreated(opts, "projectID"),
      }),
      version: version(opts, "GKE Kubernetes version. Absent: the release channel's default."),
      credentialsRef: credentialsRef(),
      network: s.string({
        description:
          "An existing VPC network of the project to put the cluster's subnetwork in. Absent: one is created for " +
          "the cluster.",
        maxLength: 63,
        rules: fixedOnceCreated(opts, "network"),
      }),
      subnetCIDR: s.string({
        description: "Primary range of the cluster's subnetwork: the nodes' addresses.",
        format: "cidr",
        default: "10.0.0.0/20",
        rules: fixedOnceCreated(opts, "subnetCIDR"),
      }),
      podsCIDR: s.string({
        description: "Secondary range of the subnetwork for pods (VPC-native cluster).",
        format: "cidr",
        default: "10.4.0.0/14",
        rules: fixedOnceCreated(opts, "podsCIDR"),
      }),
      servicesCIDR: s.string({
        description: "Secondary range of the subnetwork for Services.",
        format: "cidr",
        default: "10.8.0.0/20",
        rules: fixedOnceCreated(opts, "servicesCIDR"),
      }),
      nodePools: nodePools(gcpNodePool, {
        name: "workers",
        replicas: 2,
        machineType: "e2-standard-4",
        diskSizeGiB: 50,
      }),
      labels: s.map(s.string({ pattern: GCP_LABEL_VALUE, maxLength: 63 }), {
        description: "GCP labels added to every resource of the cluster.",
        maxProperties: 64,
      }),
    },
    {
      description: "GKE with node pools. Hibernation resizes node pools to zero.",
      rules: presenceFixed(opts, ["projectID", "network"]),
    },
  );

export type GCPPlatform = Infer<ReturnType<typeof gcpPlatform>>;
export type GCPNodePool = Infer<typeof gcpNodePool>;

/** spec.platform.gcp of a HostedCluster: where its workers' infrastructure lives. */
export const gcpHostedClusterPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: region("GCP region.", GCP_REGION, opts),
      projectID: s.string({
        description: "GCP project. Absent: the project of the credentials.",
        pattern: GCP_PROJECT,
        maxLength: 30,
        rules: fixedOnceCreated(opts, "projectID"),
      }),
      credentialsRef: credentialsRef(),
    },
    { description: "Workers on Compute Engine.", rules: presenceFixed(opts, ["projectID"]) },
  );

/** spec.platform.gcp of a NodePool: a regional managed instance group whose instances join the hosted API. */
export const gcpNodePoolPlatform = () =>
  s.object(
    {
      region: region("GCP region of the instances.", GCP_REGION, { immutable: true }),
      projectID: s.string({
        description: "GCP project. Absent: the project of the credentials.",
        pattern: GCP_PROJECT,
        maxLength: 30,
      }),
      credentialsRef: credentialsRef(),
      subnetwork: s
        .string({
          description:
            "Subnetwork of the instances (a name in the region, or a self link); it must reach the hosted " +
            "cluster's API endpoint.",
          minLength: 1,
          maxLength: 1024,
        })
        .required(),
      image: s
        .string({
          description:
            "Boot image of the instances (projects/<p>/global/images/<name> or a family): one with kubelet and a " +
            "container runtime. The boot config (user-data) joins the hosted cluster with a bootstrap token.",
          minLength: 1,
          maxLength: 1024,
        })
        .required(),
      machineType: s.string({ description: "Machine type.", maxLength: 64, default: "e2-standard-4" }),
      diskSizeGiB: s.integer({
        description: "Boot disk size.",
        minimum: 10,
        maximum: 65536,
        default: 50,
      }),
      userLabels: s.map(s.string({ pattern: GCP_LABEL_VALUE, maxLength: 63 }), {
        description: "Labels added to every GCP resource of the pool.",
        maxProperties: 64,
      }),
    },
    {
      description:
        "Compute Engine instances in a regional managed instance group (instance template, the image and " +
        "subnetwork named here) that join the HostedCluster's API; the HostedCluster must be in management mode " +
        "(spec.platform.kubernetes).",
    },
  );

export type GCPNodePoolPlatform = Infer<ReturnType<typeof gcpNodePoolPlatform>>;
