import * as pulumi from "@pulumi/pulumi";
import { AgentPool } from "@pulumi/azure-native/containerservice/agentPool.js";
import { listManagedClusterAdminCredentialsOutput } from "@pulumi/azure-native/containerservice/listManagedClusterAdminCredentials.js";
import { ManagedCluster } from "@pulumi/azure-native/containerservice/managedCluster.js";
import { Subnet } from "@pulumi/azure-native/network/subnet.js";
import { VirtualNetwork } from "@pulumi/azure-native/network/virtualNetwork.js";
import { Provider } from "@pulumi/azure-native/provider.js";
import { ResourceGroup } from "@pulumi/azure-native/resources/resourceGroup.js";
import { infraIDFor } from "../cloud/inputs.js";
import { kubeconfigCluster } from "../cloud/kubeconfig.js";
import { poolSize, type PoolSize } from "../cloud/pool-sizing.js";
import { clusterPlainTags } from "../cloud/tags.js";
import { ClusterComponent } from "../cluster-component.js";
import { requireCredentials } from "../credentials.js";
import type { AzureClusterInputs } from "./inputs.js";
import type { AzureNodePool } from "./schema.js";

/** The key of the credentials Secret: a service principal, as Hive's Azure Secret holds it. */
export const AZURE_CREDENTIALS_KEY = "osServicePrincipal.json";

interface ServicePrincipal {
  subscriptionId: string;
  clientId: string;
  clientSecret: string;
  tenantId: string;
}

/**
 * A pool's sizing on AKS: the system pool (the first) keeps one node while hibernating, as AKS wants; user pools go
 * to zero. Autoscaling off leaves minCount and maxCount unset, as AKS wants too.
 */
function aksPoolSize(pool: AzureNodePool, inputs: AzureClusterInputs, system: boolean) {
  const size: PoolSize = poolSize(pool, inputs.powerState);
  const count = system ? Math.max(1, size.desired) : size.desired;
  return {
    count,
    enableAutoScaling: size.autoscaling,
    minCount: size.autoscaling ? size.min : undefined,
    maxCount: size.autoscaling ? size.max : undefined,
  };
}

function poolArgs(
  pool: AzureNodePool,
  inputs: AzureClusterInputs,
  system: boolean,
  subnetId: pulumi.Input<string>,
) {
  return {
    mode: system ? "System" : "User",
    ...aksPoolSize(pool, inputs, system),
    vmSize: pool.vmSize,
    osDiskSizeGB: pool.diskSizeGiB,
    osType: "Linux",
    type: "VirtualMachineScaleSets",
    vnetSubnetID: subnetId,
    nodeLabels: pool.labels ?? {},
    nodeTaints: (pool.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`),
  };
}

/**
 * AKS in a virtual network of its own: a resource group (unless the spec names one), a virtual network with the
 * nodes' subnet, the managed cluster with the first spec pool as its system pool and the others as user agent
 * pools; every resource tagged with the infraID and the ClusterDeployment's uid. The kubeconfig is the cluster's
 * admin kubeconfig (client certificate). Hibernation scales user pools to zero and the system pool to one node.
 */
export class AzureCluster extends ClusterComponent {
  constructor(name: string, inputs: AzureClusterInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:azure:Cluster", name, {}, opts);
    const p = inputs.platform;
    const { infraID, tags } = azureIdentity(inputs);
    const parent = { parent: this };
    const resourceGroupName =
      p.resourceGroupName ??
      new ResourceGroup(`${name}-rg`, { resourceGroupName: infraID, location: p.region, tags }, parent).name;
    const vnet = new VirtualNetwork(
      `${name}-vnet`,
      {
        resourceGroupName,
        location: p.region,
        virtualNetworkName: infraID,
        addressSpace: { addressPrefixes: [p.vnetCIDR] },
        tags,
      },
      parent,
    );
    const subnet = new Subnet(
      `${name}-nodes`,
      { resourceGroupName, virtualNetworkName: vnet.name, subnetName: "nodes", addressPrefix: p.subnetCIDR },
      parent,
    );
    const [systemPool, ...userPools] = p.nodePools;
    const cluster = new ManagedCluster(
      `${name}-aks`,
      {
        resourceGroupName,
        resourceName: infraID,
        location: p.region,
        dnsPrefix: infraID,
        kubernetesVersion: p.version,
        identity: { type: "SystemAssigned" },
        enableRBAC: true,
        // The admin kubeconfig below needs local accounts.
        disableLocalAccounts: false,
        agentPoolProfiles: [{ name: systemPool!.name, ...poolArgs(systemPool!, inputs, true, subnet.id) }],
        networkProfile: { networkPlugin: "azure", networkPluginMode: "overlay" },
        // AKS's own resource group for the nodes, named so that it is found from the infraID.
        nodeResourceGroup: `${infraID}-nodes`,
        tags,
      },
      parent,
    );
    for (const pool of userPools) {
      new AgentPool(
        `${name}-${pool.name}`,
        {
          resourceGroupName,
          resourceName: cluster.name,
          agentPoolName: pool.name,
          ...poolArgs(pool, inputs, false, subnet.id),
          tags,
        },
        parent,
      );
    }
    const kubeconfig = listManagedClusterAdminCredentialsOutput(
      { resourceGroupName, resourceName: cluster.name },
      parent,
    ).apply((creds) => Buffer.from(creds.kubeconfigs[0]?.value ?? "", "base64").toString("utf8"));
    const endpoint = pulumi.unsecret(kubeconfig.apply(kubeconfigCluster));
    this.exposeOutputs({
      apiURL: endpoint.apply((e) => e.server),
      caData: endpoint.apply((e) => e.caData),
      kubeconfig,
      infraID: pulumi.output(infraID),
      powerState: pulumi.output(inputs.powerState),
    });
  }
}

function azureIdentity(inputs: AzureClusterInputs): { infraID: string; tags: Record<string, string> } {
  const infraID = infraIDFor(inputs.clusterName, inputs.clusterUID);
  const identity = { clusterName: inputs.clusterName, infraID, clusterUID: inputs.clusterUID };
  return { infraID, tags: clusterPlainTags(identity, inputs.platform.tags) };
}

/** The provider every resource uses: the service principal (secrets) and the location. */
function azureProvider(inputs: AzureClusterInputs): Provider {
  const principal = requireCredentials().apply((c) => {
    try {
      return JSON.parse(c[AZURE_CREDENTIALS_KEY] ?? "") as ServicePrincipal;
    } catch {
      // Never the parser's message: it quotes the Secret.
      throw new Error(`the credentials Secret's ${AZURE_CREDENTIALS_KEY} is not a JSON service principal`);
    }
  });
  return new Provider(`${inputs.clusterName}-azure`, {
    subscriptionId: principal.apply((s) => s.subscriptionId),
    tenantId: principal.apply((s) => s.tenantId),
    clientId: principal.apply((s) => s.clientId),
    clientSecret: principal.apply((s) => s.clientSecret),
    location: inputs.platform.region,
  });
}

/** The `azure` platform's ClusterDeployment program. */
export function program(inputs: AzureClusterInputs) {
  return async () => {
    const provider = azureProvider(inputs);
    return new AzureCluster(inputs.clusterName, inputs, { providers: [provider] }).outputs();
  };
}
