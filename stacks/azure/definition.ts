import { cloudHostInputs } from "../cloud/inputs.js";
import type { PlatformDefinition, StackProgram } from "../platform.js";
import { CLUSTER_SECRET_OUTPUTS } from "../types.js";
import { AZURE_CREDENTIALS_KEY, program } from "./cluster.js";
import { azureNodePoolProgram } from "./node-pool.js";
import { validateAzureInputs, type AzureClusterInputs } from "./inputs.js";
import { azurePlatform } from "../../src/api/platforms/azure.js";

const clusterDeployment: StackProgram<AzureClusterInputs> = {
  hostInputs: cloudHostInputs,
  validate: validateAzureInputs,
  program,
  describe: (inputs) => ({
    platform: "azure",
    summary: `azure cluster ${inputs.clusterName} (${inputs.powerState}) in ${inputs.platform.region}`,
    // The stack, the provider, the cluster component, the resource group unless the spec names one, the virtual
    // network, its subnet, the managed cluster (with the system pool) and one agent pool a further spec pool.
    expectedResources:
      3 + (inputs.platform.resourceGroupName ? 0 : 1) + 3 + inputs.platform.nodePools.length - 1,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    idempotentCreate: false,
  }),
};

/** AKS with agent pools in a virtual network of its own. */
export const azure: PlatformDefinition = {
  name: "azure",
  implemented: true,
  schema: azurePlatform,
  credentials: { keys: [AZURE_CREDENTIALS_KEY] },
  plugins: [{ name: "azure-native", sdkPackage: "@pulumi/azure-native" }],
  programs: { ClusterDeployment: clusterDeployment, NodePool: azureNodePoolProgram },
  // A NodePool on azure is a Virtual Machine Scale Set whose VMs join a management-mode HostedCluster.
  nodePoolNodes: "provider-node-group",
  // OCM's own agents run on the cluster, deployed by its klusterlet operator; the API is reached with the
  // admin kubeconfig the program outputs.
  hubJoin: { method: "klusterlet" },
  policyAccess: { via: "admin-kubeconfig" },
  hibernation:
    "every user agent pool scaled to 0 with its autoscaler off and the system pool to 1 node (AKS cannot stop declaratively); the control plane tier, load balancer and disks stay billed",
};
