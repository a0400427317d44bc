/**
 * The local platform's fields: spec.platform.local of a ClusterDeployment, a HostedCluster and a NodePool, composed
 * into the API by src/api/platform.ts. The API owns the wire format; stacks/<platform> imports this fragment.
 */
import {
  DEFAULT_SIMULATED_INSTANCE_TYPE,
  SIMULATED_INSTANCE_TYPE_NAMES,
  simulatedInstanceTypeDescription,
} from "../node-instance-types.js";
import { optionalRegion, version, type PlatformOptions } from "../platform-fields.js";
import { s, type Infer } from "../schema.js";

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

export type LocalPlatform = Infer<ReturnType<typeof localPlatform>>;

/** spec.platform.local of a HostedCluster: where its workers' infrastructure lives. */
export const localHostedClusterPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: optionalRegion("A free-form region label.", opts),
    },
    { description: "The control plane runs as processes on the management machine." },
  );

/** spec.platform.local of a NodePool: the machines of its workers. */
export const localNodePoolPlatform = () =>
  s.object(
    {
      instanceType: s.enum(SIMULATED_INSTANCE_TYPE_NAMES as [string, ...string[]], {
        description: simulatedInstanceTypeDescription,
        default: DEFAULT_SIMULATED_INSTANCE_TYPE,
      }),
    },
    {
      description:
        "Simulated nodes registered with the local hosted control plane (Node objects with leases; no kubelet, so " +
        "pods bind to them but never run).",
    },
  );
