import { cloudHostInputs } from "../cloud/inputs.js";
import type { PlatformDefinition, StackProgram } from "../platform.js";
import { CLUSTER_SECRET_OUTPUTS } from "../types.js";
import { GCP_CREDENTIALS_KEY, program } from "./cluster.js";
import { gcpNodePoolProgram } from "./node-pool.js";
import { validateGCPInputs, type GCPClusterInputs } from "./inputs.js";
import { gcpPlatform } from "../../src/api/platforms/gcp.js";

const clusterDeployment: StackProgram<GCPClusterInputs> = {
  hostInputs: cloudHostInputs,
  validate: validateGCPInputs,
  program,
  describe: (inputs) => ({
    platform: "gcp",
    summary: `gcp cluster ${inputs.clusterName} (${inputs.powerState}) in ${inputs.platform.region}`,
    // The stack, the provider, the cluster component, the network unless the spec names one, the subnetwork,
    // the GKE cluster and one node pool a spec pool.
    expectedResources: 3 + (inputs.platform.network ? 0 : 1) + 2 + inputs.platform.nodePools.length,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    idempotentCreate: false,
  }),
};

/** GKE with node pools in a VPC-native subnetwork of its own. */
export const gcp: PlatformDefinition = {
  name: "gcp",
  implemented: true,
  schema: gcpPlatform,
  credentials: { keys: [GCP_CREDENTIALS_KEY] },
  plugins: [{ name: "gcp", sdkPackage: "@pulumi/gcp" }],
  programs: { ClusterDeployment: clusterDeployment, NodePool: gcpNodePoolProgram },
  // A NodePool on gcp is a regional managed instance group whose instances join a management-mode HostedCluster.
  nodePoolNodes: "provider-node-group",
  // OCM's own agents run on the cluster, deployed by its klusterlet operator; the API is reached with the
  // admin kubeconfig the program outputs.
  hubJoin: { method: "klusterlet" },
  policyAccess: { via: "admin-kubeconfig" },
  hibernation:
    "every node pool scaled to 0 with its autoscaling removed; the GKE management fee, forwarding rules and disks stay billed",
};
