/**
 * The azure platform's fields: spec.platform.azure of a ClusterDeployment, a HostedCluster and a NodePool, composed
 * into the API by src/api/platform.ts. The API owns the wire format; stacks/<platform> imports this fragment.
 */
import {
  cloudPoolFields,
  credentialsRef,
  nodePoolName,
  nodePools,
  region,
  version,
  type PlatformOptions,
} from "../platform-fields.js";
import { s, type Infer } from "../schema.js";

const AZURE_REGION = {
  regex: "^[a-z][a-z0-9]*$",
  words: "an Azure location: lower-case letters and digits (for example westeurope)",
};
const AZURE_RESOURCE_GROUP = {
  regex: "^[-\\w._()]+$",
  words: "an Azure resource group name: letters, digits, '-', '_', '.', '(' and ')' (for example rg-fleet)",
};

export const azureNodePool = s.object({
  name: nodePoolName(12, {
    regex: "^[a-z][a-z0-9]{0,11}$",
    words:
      "an AKS node pool name: a lower-case letter, then up to 11 lower-case letters or digits (for example workers1)",
  }),
  ...cloudPoolFields(),
  vmSize: s.string({ description: "Azure VM size.", maxLength: 64, default: "Standard_D4s_v5" }),
  diskSizeGiB: s.integer({ description: "OS disk size.", minimum: 30, maximum: 2048, default: 64 }),
});

export const azurePlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: region("Azure region (location), for example westeurope.", AZURE_REGION, opts),
      version: version(opts, "AKS Kubernetes version. Absent: AKS's default."),
      credentialsRef: credentialsRef(),
      resourceGroupName: s.string({
        description:
          "An existing resource group to create the cluster in. Absent: one named after the infraID is created " +
          "(and deleted with the cluster).",
        pattern: AZURE_RESOURCE_GROUP,
        maxLength: 90,
      }),
      vnetCIDR: s.string({
        description: "Address space of the virtual network created for the cluster.",
        format: "cidr",
        default: "10.224.0.0/12",
      }),
      subnetCIDR: s.string({
        description:
          "The nodes' subnet, inside vnetCIDR. Pods get addresses of their own (Azure CNI overlay).",
        format: "cidr",
        default: "10.224.0.0/16",
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
    {
      description:
        "AKS with agent pools: the first node pool is AKS's system pool (at least one node), the others user pools. " +
        "Hibernation scales user pools to zero and the system pool to one node.",
      rules: [
        {
          rule:
            // An empty list is refused by minItems; without the size guard the rule would also fail to evaluate.
            "!has(self.nodePools) || size(self.nodePools) == 0 || (self.nodePools[0].replicas >= 1 && " +
            "(!has(self.nodePools[0].autoScaling) || self.nodePools[0].autoScaling.min >= 1))",
          message:
            "the first node pool is AKS's system pool and needs at least one node: give it replicas and " +
            "autoScaling.min of 1 or more, or put a pool that may scale to zero after it",
        },
      ],
    },
  );

export type AzurePlatform = Infer<ReturnType<typeof azurePlatform>>;
export type AzureNodePool = Infer<typeof azureNodePool>;

/** spec.platform.azure of a HostedCluster: where its workers' infrastructure lives. */
export const azureHostedClusterPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: region("Azure region (location).", AZURE_REGION, opts),
      credentialsRef: credentialsRef(),
      resourceGroupName: s.string({
        description: "Resource group for the workers.",
        pattern: AZURE_RESOURCE_GROUP,
        maxLength: 90,
      }),
    },
    { description: "Workers on Azure VMs." },
  );

/** spec.platform.azure of a NodePool: the machines of its workers. */
export const azureNodePoolPlatform = () =>
  s.object(
    {
      vmSize: s.string({ description: "Azure VM size.", maxLength: 64, default: "Standard_D4s_v5" }),
      diskSizeGiB: s.integer({ description: "OS disk size.", minimum: 30, maximum: 2048, default: 64 }),
    },
    { description: "Azure VMs." },
  );
