/**
 * The vsphere platform's fields: spec.platform.vsphere of a ClusterDeployment, a HostedCluster and a NodePool, composed
 * into the API by src/api/platform.ts. The API owns the wire format; stacks/<platform> imports this fragment.
 */
import { immutable, localObjectReference } from "../common.js";
import {
  credentialsRef,
  nodePoolName,
  nodePools,
  poolLabels,
  poolReplicas,
  version,
  type PlatformOptions,
} from "../platform-fields.js";
import { s, type Infer } from "../schema.js";

export const vsphereNodePool = s.object({
  name: nodePoolName(63),
  replicas: poolReplicas(),
  cpus: s.integer({ description: "vCPUs per VM.", minimum: 1, maximum: 128, default: 4 }),
  memoryMiB: s.integer({ description: "Memory per VM.", minimum: 1024, maximum: 1048576, default: 8192 }),
  diskGiB: s.integer({ description: "Disk per VM.", minimum: 20, maximum: 16384, default: 60 }),
  labels: poolLabels(),
});

export const vsphereMachine = s.object(
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

export const vsphereInventory = (field: string, description: string, opts: PlatformOptions) =>
  s
    .string({
      description,
      minLength: 1,
      maxLength: 255,
      rules: opts.immutable ? [immutable(field, "create a new cluster there instead")] : [],
    })
    .required();

/** The vCenter a cluster's VMs are on: moving a cluster to another vCenter is creating a new one. */
const vCenterHost = (opts: PlatformOptions) =>
  s
    .string({
      description: "vCenter server host name.",
      minLength: 1,
      maxLength: 255,
      rules: opts.immutable
        ? [immutable("vCenter", "create a new cluster on the other vCenter instead")]
        : [],
    })
    .required();

export const vspherePlatform = (opts: PlatformOptions) =>
  s.object(
    {
      vCenter: vCenterHost(opts),
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

export type VSpherePlatform = Infer<ReturnType<typeof vspherePlatform>>;
export type VSphereNodePool = Infer<typeof vsphereNodePool>;

/** spec.platform.vsphere of a HostedCluster: where its workers' infrastructure lives. */
export const vsphereHostedClusterPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      vCenter: vCenterHost(opts),
      datacenter: vsphereInventory("datacenter", "Datacenter to create the worker VMs in.", opts),
      credentialsRef: credentialsRef(),
    },
    { description: "Workers on vSphere VMs." },
  );

/** spec.platform.vsphere of a NodePool: the machines of its workers. */
export const vsphereNodePoolPlatform = () =>
  s.object(
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
  );
