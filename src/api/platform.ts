/**
 * Platform schemas. A ClusterDeployment (and a ClusterPool's template) names exactly one platform with its
 * own fields; a HostedCluster names where its control plane's infrastructure lives and a NodePool the
 * machines of its workers. Region-like fields and the platform kind are immutable on a ClusterDeployment:
 * moving a cluster means creating another one.
 */
import { DNS1123_LABEL, immutable, kubernetesVersion, labels, localObjectReference } from "./common.js";
import { s, type AnySchema, type Infer, type InferInput, type ValidationRule } from "./schema.js";

export const PLATFORMS = ["local", "simulated", "aws", "azure", "gcp", "vsphere"] as const;
export type PlatformName = (typeof PLATFORMS)[number];

/** Options that differ between a ClusterDeployment (immutable infrastructure) and a pool template. */
export interface PlatformOptions {
  /** Adds the transition rules: platform kind, region and version upgrade policy. */
  immutable: boolean;
}

function exactlyOneRule(keys: readonly string[], what: string): ValidationRule {
  return {
    rule: keys.map((k) => `(has(self.${k}) ? 1 : 0)`).join(" + ") + " == 1",
    message: `${what} must set exactly one of: ${keys.join(", ")}`,
  };
}

function sameKindRule(keys: readonly string[], what: string, hint: string): ValidationRule {
  return {
    rule: keys.map((k) => `has(self.${k}) == has(oldSelf.${k})`).join(" && "),
    message: `${what} kind is immutable: ${hint}`,
  };
}

const regionImmutable = immutable("region", "create a new cluster in the other region instead");

function optionalRegion(description: string, opts: PlatformOptions) {
  return s.string({
    description,
    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    maxLength: 63,
    rules: opts.immutable ? [regionImmutable] : [],
  });
}

function region(description: string, pattern: string, opts: PlatformOptions) {
  return s
    .string({ description, pattern, maxLength: 63, rules: opts.immutable ? [regionImmutable] : [] })
    .required();
}

const version = (opts: PlatformOptions, description: string) =>
  kubernetesVersion(description, { upgradeRules: opts.immutable });

const credentialsRef = () =>
  localObjectReference(
    "Secret in the ClusterDeployment's namespace holding the cloud credentials. Only its name is kept here; " +
      "a missing Secret shows as the CredentialsSecretMissing reason on the Stalled condition.",
  ).required();

const nodePoolName = (maxLength: number, pattern = DNS1123_LABEL) =>
  s
    .string({
      description: "Name of the node pool, unique in the cluster.",
      pattern,
      minLength: 1,
      maxLength,
    })
    .required();

const poolReplicas = () =>
  s.integer({
    description: "Number of nodes while the cluster runs. Hibernation scales every pool to zero.",
    minimum: 0,
    maximum: 1000,
    default: 2,
  });

const poolLabels = () => labels("Labels put on every node of the pool.");

function nodePools<I extends AnySchema>(item: I, defaultPool: InferInput<I>) {
  return s.array(item, {
    description: "Worker node pools. Absent: one pool named workers with the defaults shown.",
    listType: "map",
    listMapKeys: ["name"],
    minItems: 1,
    maxItems: 16,
    default: [defaultPool],
  });
}

// ---- local ---------------------------------------------------------------------------------------------

export const localPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      version: version(
        opts,
        "Kubernetes version of the control plane. Absent: the version of the kube-apiserver built in tools/bin.",
      ),
      region: optionalRegion(
        "A free-form region label (for example a DR site name); the local platform runs on this machine.",
        opts,
      ),
      apiServerPort: s.integer({
        description: "Loopback port for the cluster's kube-apiserver. Absent: a free port is chosen.",
        minimum: 1024,
        maximum: 65535,
      }),
      controllerManager: s.boolean({
        description: "Also run kube-controller-manager (needed for CSR signing and garbage collection).",
        default: false,
      }),
    },
    {
      description:
        "A real control plane on this machine: etcd and kube-apiserver processes with their own certificates, " +
        "ports and data directory. No kubelet: workloads do not run, everything on the API does.",
    },
  );

// ---- simulated -----------------------------------------------------------------------------------------

const seconds = (what: string, dflt: number) =>
  s.number({
    description: `Seconds ${what} takes (fractions allowed).`,
    minimum: 0,
    maximum: 86400,
    default: dflt,
  });

export const simulatedFailure = s.object(
  {
    phase: s
      .enum(["Provision", "Hibernate", "Resume", "Destroy", "Register", "Bootstrap"], {
        description: "The phase that fails.",
      })
      .required(),
    mode: s.enum(["Transient", "Terminal"], {
      description: "Transient failures are retried with backoff; Terminal ones stall the cluster.",
      default: "Transient",
    }),
    attempts: s.integer({
      description: "How many attempts of the phase fail before it succeeds; 0 fails every attempt.",
      minimum: 0,
      maximum: 100,
      default: 1,
    }),
    message: s.string({ description: "Error message the simulated provider reports.", maxLength: 1024 }),
  },
  { description: "A failure injected into one phase." },
);

export type SimulatedFailure = Infer<typeof simulatedFailure>;

export const simulatedPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      version: version(opts, "Kubernetes version the simulated cluster reports."),
      region: optionalRegion("A free-form region label, used by DR failover of simulated fleets.", opts),
      provisionSeconds: seconds("creating the cluster", 5),
      hibernateSeconds: seconds("hibernating", 2),
      resumeSeconds: seconds("resuming", 2),
      destroySeconds: seconds("destroying", 2),
      registrationSeconds: seconds("registering with the hub", 0.5),
      bootstrapSeconds: seconds("applying bootstrap policies", 0.5),
      credentialsRef: localObjectReference(
        "Optional simulated cloud credentials: when set, the Secret must exist, exactly as for a cloud platform " +
          "(a missing one stalls the cluster with reason CredentialsSecretMissing).",
      ),
      jitterPercent: s.integer({
        description: "Each delay varies randomly by up to this percentage either way.",
        minimum: 0,
        maximum: 100,
        default: 10,
      }),
      failures: s.array(simulatedFailure, {
        description: "Failures to inject, at most one per phase.",
        listType: "map",
        listMapKeys: ["phase"],
        maxItems: 6,
      }),
    },
    {
      description:
        "No processes: state lives in the Pulumi stack and each phase takes a configurable time, like Cluster " +
        "API's in-memory provider. The kubeconfig is marked as simulated.",
    },
  );

// ---- aws -----------------------------------------------------------------------------------------------

export const AWS_REGION = "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$";

export const awsNodePool = s.object({
  name: nodePoolName(63),
  replicas: poolReplicas(),
  instanceType: s.string({ description: "EC2 instance type.", maxLength: 64, default: "m6i.large" }),
  diskSizeGiB: s.integer({ description: "Root volume size.", minimum: 20, maximum: 16384, default: 50 }),
  labels: poolLabels(),
});

export const awsPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: region("AWS region, for example eu-west-1.", AWS_REGION, opts),
      version: version(opts, "EKS Kubernetes version. Absent: EKS's default."),
      credentialsRef: credentialsRef(),
      vpcCIDR: s.string({
        description: "CIDR of the VPC created for the cluster.",
        format: "cidr",
        default: "10.0.0.0/16",
      }),
      nodePools: nodePools(awsNodePool, {
        name: "workers",
        replicas: 2,
        instanceType: "m6i.large",
        diskSizeGiB: 50,
      }),
      userTags: s.map(s.string({ maxLength: 256 }), {
        description: "Tags added to every AWS resource of the cluster.",
        maxProperties: 40,
      }),
    },
    {
      description:
        "EKS with managed node groups in a VPC of its own. Hibernation scales node groups to zero.",
    },
  );

// ---- azure ---------------------------------------------------------------------------------------------

export const azureNodePool = s.object({
  name: nodePoolName(12, "^[a-z][a-z0-9]{0,11}$"),
  replicas: poolReplicas(),
  vmSize: s.string({ description: "Azure VM size.", maxLength: 64, default: "Standard_D4s_v5" }),
  diskSizeGiB: s.integer({ description: "OS disk size.", minimum: 30, maximum: 2048, default: 64 }),
  labels: poolLabels(),
});

export const azurePlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: region("Azure region (location), for example westeurope.", "^[a-z][a-z0-9]*$", opts),
      version: version(opts, "AKS Kubernetes version. Absent: AKS's default."),
      credentialsRef: credentialsRef(),
      resourceGroupName: s.string({
        description:
          "Resource group to create the cluster in. Absent: one named after the infraID is created.",
        pattern: "^[-\\w._()]+$",
        maxLength: 90,
      }),
      nodePools: nodePools(azureNodePool, {
        name: "workers",
        replicas: 2,
        vmSize: "Standard_D4s_v5",
        diskSizeGiB: 64,
      }),
      tags: s.map(s.string({ maxLength: 256 }), {
        description: "Tags added to every Azure resource of the cluster.",
        maxProperties: 40,
      }),
    },
    { description: "AKS. Hibernation stops the managed cluster (AKS stop)." },
  );

// ---- gcp -----------------------------------------------------------------------------------------------

export const gcpNodePool = s.object({
  name: nodePoolName(40),
  replicas: poolReplicas(),
  machineType: s.string({
    description: "Compute Engine machine type.",
    maxLength: 64,
    default: "e2-standard-4",
  }),
  diskSizeGiB: s.integer({ description: "Boot disk size.", minimum: 10, maximum: 65536, default: 50 }),
  labels: poolLabels(),
});

export const gcpPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: region("GCP region, for example europe-west1.", "^[a-z]+-[a-z]+[0-9]+$", opts),
      projectID: s.string({
        description: "GCP project. Absent: the project of the credentials.",
        pattern: "^[a-z][-a-z0-9]{4,28}[a-z0-9]$",
        maxLength: 30,
      }),
      version: version(opts, "GKE Kubernetes version. Absent: the release channel's default."),
      credentialsRef: credentialsRef(),
      network: s.string({
        description: "VPC network. Absent: one is created for the cluster.",
        maxLength: 63,
      }),
      nodePools: nodePools(gcpNodePool, {
        name: "workers",
        replicas: 2,
        machineType: "e2-standard-4",
        diskSizeGiB: 50,
      }),
      labels: s.map(s.string({ pattern: "^[-a-z0-9_]*$", maxLength: 63 }), {
        description: "GCP labels added to every resource of the cluster.",
        maxProperties: 64,
      }),
    },
    { description: "GKE with node pools. Hibernation resizes node pools to zero." },
  );

// ---- vsphere -------------------------------------------------------------------------------------------

export const vsphereNodePool = s.object({
  name: nodePoolName(63),
  replicas: poolReplicas(),
  cpus: s.integer({ description: "vCPUs per VM.", minimum: 1, maximum: 128, default: 4 }),
  memoryMiB: s.integer({ description: "Memory per VM.", minimum: 1024, maximum: 1048576, default: 8192 }),
  diskGiB: s.integer({ description: "Disk per VM.", minimum: 20, maximum: 16384, default: 60 }),
  labels: poolLabels(),
});

const vsphereMachine = s.object(
  {
    replicas: s.integer({ description: "Control plane VMs: 1 or 3.", minimum: 1, maximum: 3, default: 1 }),
    cpus: s.integer({ description: "vCPUs per VM.", minimum: 2, maximum: 128, default: 4 }),
    memoryMiB: s.integer({ description: "Memory per VM.", minimum: 2048, maximum: 1048576, default: 8192 }),
    diskGiB: s.integer({ description: "Disk per VM.", minimum: 20, maximum: 16384, default: 60 }),
  },
  {
    description: "Control plane VMs.",
    default: { replicas: 1, cpus: 4, memoryMiB: 8192, diskGiB: 60 },
    rules: [
      { rule: "self.replicas != 2", message: "controlPlane.replicas must be 1 or 3 (etcd needs a quorum)" },
    ],
  },
);

const vsphereInventory = (field: string, description: string, opts: PlatformOptions) =>
  s
    .string({
      description,
      minLength: 1,
      maxLength: 255,
      rules: opts.immutable ? [immutable(field, "create a new cluster there instead")] : [],
    })
    .required();

export const vspherePlatform = (opts: PlatformOptions) =>
  s.object(
    {
      vCenter: s
        .string({
          description: "vCenter server host name.",
          minLength: 1,
          maxLength: 255,
          rules: opts.immutable
            ? [immutable("vCenter", "create a new cluster on the other vCenter instead")]
            : [],
        })
        .required(),
      datacenter: vsphereInventory("datacenter", "Datacenter to create the VMs in.", opts),
      cluster: s.string({ description: "vSphere compute cluster.", minLength: 1, maxLength: 255 }).required(),
      defaultDatastore: s
        .string({ description: "Datastore for the VM disks.", minLength: 1, maxLength: 255 })
        .required(),
      network: s
        .string({ description: "Port group the VMs attach to.", minLength: 1, maxLength: 255 })
        .required(),
      folder: s.string({
        description: "VM folder. Absent: the datacenter's root VM folder.",
        maxLength: 1024,
      }),
      resourcePool: s.string({
        description: "Resource pool. Absent: the cluster's root pool.",
        maxLength: 1024,
      }),
      template: s
        .string({
          description: "VM template cloned for every node (with kubeadm installed).",
          minLength: 1,
          maxLength: 255,
        })
        .required(),
      credentialsRef: credentialsRef(),
      certificatesRef: localObjectReference(
        "Secret holding the vCenter CA bundle (key ca.crt). Absent: the system roots.",
      ),
      controlPlaneEndpoint: s.string({
        description:
          "Virtual IP or DNS name for the API server. Absent: the first control plane VM's address.",
        maxLength: 253,
      }),
      version: version(opts, "Kubernetes version kubeadm installs; the template must carry it."),
      controlPlane: vsphereMachine,
      nodePools: nodePools(vsphereNodePool, {
        name: "workers",
        replicas: 2,
        cpus: 4,
        memoryMiB: 8192,
        diskGiB: 60,
      }),
    },
    {
      description:
        "VMs cloned from a template and joined with kubeadm. Hibernation powers the VMs off (their disks stay).",
    },
  );

// ---- the union -----------------------------------------------------------------------------------------

export function clusterPlatform(opts: PlatformOptions) {
  const rules: ValidationRule[] = [exactlyOneRule(PLATFORMS, "platform")];
  if (opts.immutable) {
    rules.push(
      sameKindRule(
        PLATFORMS,
        "platform",
        "delete the ClusterDeployment and create one on the other platform",
      ),
    );
  }
  return s
    .object(
      {
        local: localPlatform(opts),
        simulated: simulatedPlatform(opts),
        aws: awsPlatform(opts),
        azure: azurePlatform(opts),
        gcp: gcpPlatform(opts),
        vsphere: vspherePlatform(opts),
      },
      { description: `Where and how the cluster runs: exactly one of ${PLATFORMS.join(", ")}.`, rules },
    )
    .required();
}

export type ClusterPlatform = Infer<ReturnType<typeof clusterPlatform>>;
export type LocalPlatform = Infer<ReturnType<typeof localPlatform>>;
export type SimulatedPlatform = Infer<ReturnType<typeof simulatedPlatform>>;
export type AWSPlatform = Infer<ReturnType<typeof awsPlatform>>;
export type AzurePlatform = Infer<ReturnType<typeof azurePlatform>>;
export type GCPPlatform = Infer<ReturnType<typeof gcpPlatform>>;
export type VSpherePlatform = Infer<ReturnType<typeof vspherePlatform>>;
export type AWSNodePool = Infer<typeof awsNodePool>;
export type AzureNodePool = Infer<typeof azureNodePool>;
export type GCPNodePool = Infer<typeof gcpNodePool>;
export type VSphereNodePool = Infer<typeof vsphereNodePool>;

/** Which platform a ClusterDeployment's platform block names (admission guarantees exactly one). */
export function platformName(platform: Partial<Record<PlatformName, unknown>>): PlatformName {
  const set = PLATFORMS.filter((p) => platform[p] !== undefined);
  if (set.length !== 1)
    throw new Error(`platform must set exactly one of ${PLATFORMS.join(", ")}; it sets ${set.length}`);
  return set[0] as PlatformName;
}

// ---- HostedCluster and NodePool platforms --------------------------------------------------------------

const immutableOpts: PlatformOptions = { immutable: true };

/** Where a hosted control plane's infrastructure lives; workers come from NodePools. */
export function hostedClusterPlatform() {
  const opts = immutableOpts;
  return s
    .object(
      {
        local: s.object(
          {
            region: optionalRegion("A free-form region label.", opts),
          },
          { description: "The control plane runs as processes on the management machine." },
        ),
        simulated: s.object(
          {
            region: optionalRegion("A free-form region label.", opts),
            provisionSeconds: seconds("creating the control plane", 5),
            destroySeconds: seconds("destroying the control plane", 2),
            jitterPercent: s.integer({
              description: "Each delay varies randomly by up to this percentage either way.",
              minimum: 0,
              maximum: 100,
              default: 10,
            }),
          },
          { description: "A simulated control plane with configurable delays." },
        ),
        aws: s.object(
          {
            region: region("AWS region, for example eu-west-1.", AWS_REGION, opts),
            credentialsRef: credentialsRef(),
            vpcCIDR: s.string({
              description: "CIDR of the workers' VPC.",
              format: "cidr",
              default: "10.0.0.0/16",
            }),
          },
          { description: "Workers on EC2 in a VPC of their own." },
        ),
        azure: s.object(
          {
            region: region("Azure region (location).", "^[a-z][a-z0-9]*$", opts),
            credentialsRef: credentialsRef(),
            resourceGroupName: s.string({
              description: "Resource group for the workers.",
              pattern: "^[-\\w._()]+$",
              maxLength: 90,
            }),
          },
          { description: "Workers on Azure VMs." },
        ),
        gcp: s.object(
          {
            region: region("GCP region.", "^[a-z]+-[a-z]+[0-9]+$", opts),
            projectID: s.string({
              description: "GCP project. Absent: the project of the credentials.",
              pattern: "^[a-z][-a-z0-9]{4,28}[a-z0-9]$",
              maxLength: 30,
            }),
            credentialsRef: credentialsRef(),
          },
          { description: "Workers on Compute Engine." },
        ),
        vsphere: s.object(
          {
            vCenter: s
              .string({
                description: "vCenter server host name.",
                minLength: 1,
                maxLength: 255,
                rules: [immutable("vCenter", "create a new cluster on the other vCenter instead")],
              })
              .required(),
            datacenter: vsphereInventory("datacenter", "Datacenter to create the worker VMs in.", opts),
            credentialsRef: credentialsRef(),
          },
          { description: "Workers on vSphere VMs." },
        ),
      },
      {
        description: `Where the workers' infrastructure lives: exactly one of ${PLATFORMS.join(", ")}.`,
        rules: [
          exactlyOneRule(PLATFORMS, "platform"),
          sameKindRule(
            PLATFORMS,
            "platform",
            "delete the HostedCluster and create one on the other platform",
          ),
        ],
      },
    )
    .required();
}

export type HostedClusterPlatform = Infer<ReturnType<typeof hostedClusterPlatform>>;

/** The machines of a NodePool; must match its HostedCluster's platform (checked by the controller). */
export function nodePoolPlatform() {
  return s
    .object(
      {
        local: s.object({}, { description: "Simulated nodes registered with a local control plane." }),
        simulated: s.object(
          {
            nodeReadySeconds: seconds("a node becoming Ready", 2),
          },
          { description: "Simulated nodes." },
        ),
        aws: s.object(
          {
            instanceType: s.string({
              description: "EC2 instance type.",
              maxLength: 64,
              default: "m6i.large",
            }),
            diskSizeGiB: s.integer({
              description: "Root volume size.",
              minimum: 20,
              maximum: 16384,
              default: 50,
            }),
          },
          { description: "EC2 instances." },
        ),
        azure: s.object(
          {
            vmSize: s.string({ description: "Azure VM size.", maxLength: 64, default: "Standard_D4s_v5" }),
            diskSizeGiB: s.integer({ description: "OS disk size.", minimum: 30, maximum: 2048, default: 64 }),
          },
          { description: "Azure VMs." },
        ),
        gcp: s.object(
          {
            machineType: s.string({ description: "Machine type.", maxLength: 64, default: "e2-standard-4" }),
            diskSizeGiB: s.integer({
              description: "Boot disk size.",
              minimum: 10,
              maximum: 65536,
              default: 50,
            }),
          },
          { description: "Compute Engine instances." },
        ),
        vsphere: s.object(
          {
            template: s
              .string({ description: "VM template cloned for every node.", minLength: 1, maxLength: 255 })
              .required(),
            cpus: s.integer({ description: "vCPUs per VM.", minimum: 1, maximum: 128, default: 4 }),
            memoryMiB: s.integer({
              description: "Memory per VM.",
              minimum: 1024,
              maximum: 1048576,
              default: 8192,
            }),
            diskGiB: s.integer({ description: "Disk per VM.", minimum: 20, maximum: 16384, default: 60 }),
          },
          { description: "vSphere VMs." },
        ),
      },
      {
        description: `The machines of the pool: exactly one of ${PLATFORMS.join(", ")}, the HostedCluster's platform.`,
        rules: [
          exactlyOneRule(PLATFORMS, "platform"),
          sameKindRule(PLATFORMS, "platform", "create a new NodePool on the other platform"),
        ],
      },
    )
    .required();
}

export type NodePoolPlatform = Infer<ReturnType<typeof nodePoolPlatform>>;
