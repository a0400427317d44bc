import {
  kubernetesHostedClusterPlatform,
  MANAGEMENT_KUBECONFIG_KEY,
} from "../../src/api/platforms/kubernetes.js";
import { cloudHostInputs } from "../cloud/inputs.js";
import type { PlatformDefinition, StackProgram } from "../platform.js";
import { CLUSTER_SECRET_OUTPUTS } from "../types.js";
import { HOSTED_KUBERNETES_RESOURCES, program } from "./control-plane.js";
import { validateHostedKubernetesInputs, type HostedKubernetesInputs } from "./inputs.js";
import { controlPlaneLayout } from "./manifests.js";

const hostedCluster: StackProgram<HostedKubernetesInputs> = {
  hostInputs: cloudHostInputs,
  validate: validateHostedKubernetesInputs,
  program,
  describe: (inputs) => ({
    platform: "kubernetes",
    summary:
      `hosted control plane ${inputs.clusterName} (${inputs.powerState}) in namespace ` +
      `${controlPlaneLayout(inputs).namespace} of its management cluster`,
    expectedResources: HOSTED_KUBERNETES_RESOURCES,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    // Every object has a fixed name in its own namespace: a repeated create finds them (server-side apply).
    idempotentCreate: true,
  }),
};

/**
 * Management-cluster mode (Kamaji's): a HostedCluster's control plane as workloads on a management cluster,
 * through the Pulumi Kubernetes provider (tools/build.sh builds its plugin from its Go module). HostedCluster only.
 */
export const kubernetes: PlatformDefinition = {
  name: "kubernetes",
  implemented: true,
  schema: kubernetesHostedClusterPlatform,
  credentials: { keys: [MANAGEMENT_KUBECONFIG_KEY] },
  plugins: [{ name: "kubernetes", sdkPackage: "@pulumi/kubernetes" }],
  programs: { HostedCluster: hostedCluster },
  // OCM's klusterlet runs on the hosted cluster's own workers (its NodePools), as on a cloud cluster.
  hubJoin: { method: "klusterlet" },
  // Its API is served from the management cluster, so machines in a cloud can join it (HyperShift's model).
  hostsProviderNodePools: true,
  policyAccess: { via: "admin-kubeconfig" },
  hibernation:
    "every control plane workload (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) scaled to 0; " +
    "etcd's PersistentVolumeClaim, the Secrets and the Services stay",
};
