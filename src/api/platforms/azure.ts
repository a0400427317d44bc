/**
 * The azure platform's fields: spec.platform.azure of a ClusterDeployment, a HostedCluster and a NodePool, composed
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
        rules: fixedOnceCreated(opts, "resourceGroupName"),
      }),
      vnetCIDR: s.string({
        description: "Address space of the virtual network created for the cluster.",
        format: "cidr",
        default: "10.224.0.0/12",
        rules: fixedOnceCreated(opts, "vnetCIDR"),
      }),
      subnetCIDR: s.string({
        description:
          "The nodes' subnet, inside vnetCIDR. Pods get addresses of their own (Azure CNI overlay).",
        format: "cidr",
        default: "10.224.0.0/16",
        rules: fixedOnceCreated(opts, "subnetCIDR"),
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
        ...presenceFixed(opts, ["resourceGroupName"]),
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
        rules: fixedOnceCreated(opts, "resourceGroupName"),
      }),
    },
    { description: "Workers on Azure VMs.", rules: presenceFixed(opts, ["resourceGroupName"]) },
  );

const AZURE_SUBNET_ID = {
  regex:
    "^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Network/virtualNetworks/[^/]+/subnets/[^/]+$",
  words:
    "a subnet resource ID (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>)",
};
const AZURE_IMAGE_ID = {
  regex: "^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Compute/.+$",
  words:
    "an image or gallery image version resource ID (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/...)",
};

/** spec.platform.azure of a NodePool: a Virtual Machine Scale Set whose VMs join the hosted API. */
export const azureNodePoolPlatform = () =>
  s.object(
    {
      region: region("Azure region (location) of the VMs.", AZURE_REGION, { immutable: true }),
      credentialsRef: credentialsRef(),
      resourceGroupName: s
        .string({
          description: "An existing resource group the scale set is created in.",
          pattern: AZURE_RESOURCE_GROUP,
          maxLength: 90,
        })
        .required(),
      subnetID: s
        .string({
          description: "The subnet the VMs' NICs are in; it must reach the hosted cluster's API endpoint.",
          pattern: AZURE_SUBNET_ID,
          maxLength: 512,
        })
        .required(),
      imageID: s
        .string({
          description:
            "Image of the VMs: one with kubelet and a container runtime. The boot config (custom data) joins the " +
            "hosted cluster with a bootstrap token.",
          pattern: AZURE_IMAGE_ID,
          maxLength: 512,
        })
        .required(),
      sshPublicKey: s
        .string({
          description: "OpenSSH public key of the VMs' admin user (password login is off).",
          pattern: {
            regex: "^(ssh|ecdsa)-[a-z0-9-]+ [A-Za-z0-9+/=]+( .*)?$",
            words: "an OpenSSH public key",
          },
          maxLength: 4096,
        })
        .required(),
      vmSize: s.string({ description: "Azure VM size.", maxLength: 64, default: "Standard_D4s_v5" }),
      diskSizeGiB: s.integer({ description: "OS disk size.", minimum: 30, maximum: 2048, default: 64 }),
      userTags: s.map(s.string({ maxLength: 256 }), {
        description: "Tags added to every Azure resource of the pool.",
        maxProperties: 40,
      }),
    },
    {
      description:
        "Azure VMs in a Virtual Machine Scale Set (the image and subnet named here) that join the HostedCluster's " +
        "API; the HostedCluster must be in management mode (spec.platform.kubernetes).",
    },
  );

export type AzureNodePoolPlatform = Infer<ReturnType<typeof azureNodePoolPlatform>>;
