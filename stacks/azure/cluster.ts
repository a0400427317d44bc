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
import { observedPoolsOutputs, poolSize, type PoolSize } from "../cloud/pool-sizing.js";
import { clusterPlainTags } from "../cloud/tags.js";
import { ClusterComponent } from "../cluster-component.js";
import { requireCredentials } from "../credentials.js";
import type { AzureClusterInputs } from "./inputs.js";
import type { AzureNodePool } from "../../src/api/platforms/azure.js";

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
function aksPoolSize(pool: AzureNodePool, inputs: AzureClusterInputs, system: boolean): PoolSize {
  const size = poolSize(pool, inputs.powerState);
  return system ? { ...size, desired: Math.max(1, size.desired), min: Math.max(1, size.min) } : size;
}

function poolArgs(
  pool: AzureNodePool,
  inputs: AzureClusterInputs,
  system: boolean,
  subnetId: pulumi.Input<string>,
) {
  const size = aksPoolSize(pool, inputs, system);
  return {
    mode: system ? "System" : "User",
    count: size.desired,
    enableAutoScaling: size.autoscaling,
    minCount: size.autoscaling ? size.min : undefined,
    maxCount: size.autoscaling ? size.max : undefined,
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
    const agentPools = userPools.map(
      (pool) =>
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
        ),
    );
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
      // After a refresh: what the pools have now, so a resize outside Slipway is noticed.
      ...observedPoolsOutputs(inputs.powerState, [
        {
          name: systemPool!.name,
          planned: aksPoolSize(systemPool!, inputs, true),
          actual: cluster.agentPoolProfiles.apply((profiles) => profiles?.[0]?.count),
        },
        ...agentPools.map((agentPool, i) => ({
          name: userPools[i]!.name,
          planned: aksPoolSize(userPools[i]!, inputs, false),
          actual: agentPool.count,
        })),
      ]),
    });
  }
}

function azureIdentity(inputs: AzureClusterInputs): { infraID: string; tags: Record<string, string> } {
  const infraID = infraIDFor(inputs.clusterName, inputs.clusterUID);
  const identity = { clusterName: inputs.clusterName, infraID, clusterUID: inputs.clusterUID };
  return { infraID, tags: clusterPlainTags(identity, inputs.platform.tags) };
}

/** The provider every resource uses: the service principal (secrets) and the location. */
export function azureProvider(name: string, region: string): Provider {
  const principal = requireCredentials().apply((c) => {
    try {
      return JSON.parse(c[AZURE_CREDENTIALS_KEY] ?? "") as ServicePrincipal;
    } catch {
      // Never the parser's message: it quotes the Secret.
      throw new Error(`the credentials Secret's ${AZURE_CREDENTIALS_KEY} is not a JSON service principal`);
    }
  });
  return new Provider(`${name}-azure`, {
    subscriptionId: principal.apply((s) => s.subscriptionId),
    tenantId: principal.apply((s) => s.tenantId),
    clientId: principal.apply((s) => s.clientId),
    clientSecret: principal.apply((s) => s.clientSecret),
    location: region,
  });
}

/** The `azure` platform's ClusterDeployment program. */
export function program(inputs: AzureClusterInputs) {
  return async () => {
    const provider = azureProvider(inputs.clusterName, inputs.platform.region);
    return new AzureCluster(inputs.clusterName, inputs, { providers: [provider] }).outputs();
  };
}
