import { describe, expect, it } from "vitest";
import {
  canary,
  expectClusterOutputsAndCredentials,
  hibernationDiff,
  ofType,
} from "../../harness/cloud-mocks.js";
import { AKS_ADMIN_KUBECONFIG as ADMIN_KUBECONFIG, cloudProgram } from "../../harness/cloud-samples.js";

// The azure program under Pulumi's mocks: what it declares for a few specs, what hibernating changes, and where the
// service principal may (the provider) and may not (outputs, other inputs, logs) be found.
const UID = "c0ffee00-1234-4abc-8def-0123456789ab";
const {
  definition: azure,
  run,
  validate,
} = cloudProgram("azure", {
  clusterName: "shop",
  clusterUID: UID,
  platform: { region: "westeurope", credentialsRef: { name: "azure-creds" } },
});

const TWO_POOLS = {
  nodePools: [
    { name: "system", replicas: 2, vmSize: "Standard_D2s_v5" },
    { name: "workers", replicas: 3, autoScaling: { min: 2, max: 6 }, diskSizeGiB: 128 },
  ],
};

describe("azure platform program", () => {
  it("declares a resource group, a virtual network and subnet, AKS with its system pool and a user pool each", async () => {
    const r = await run(TWO_POOLS);
    expect(r.resources.map((x) => x.type).sort()).toEqual([
      "azure-native:containerservice:AgentPool",
      "azure-native:containerservice:ManagedCluster",
      "azure-native:network:Subnet",
      "azure-native:network:VirtualNetwork",
      "azure-native:resources:ResourceGroup",
      "pulumi:providers:azure-native",
      "slipway:azure:Cluster",
    ]);
    const program = azure.programs.ClusterDeployment!;
    const inputs = program.validate({
      clusterName: "shop",
      powerState: "Running",
      platform: { region: "westeurope", credentialsRef: { name: "azure-creds" }, ...TWO_POOLS },
      clusterUID: UID,
    });
    expect(program.describe(inputs).expectedResources).toBe(r.resources.length + 1);
    expect(ofType(r, "azure-native:resources:ResourceGroup")[0]!.inputs).toMatchObject({
      resourceGroupName: "shop-c0ffe",
      location: "westeurope",
    });
    expect(ofType(r, "azure-native:network:VirtualNetwork")[0]!.inputs).toMatchObject({
      resourceGroupName: "shop-c0ffe",
      addressSpace: { addressPrefixes: ["10.224.0.0/12"] },
    });
    expect(ofType(r, "azure-native:network:Subnet")[0]!.inputs.addressPrefix).toBe("10.224.0.0/16");
    const [cluster] = ofType(r, "azure-native:containerservice:ManagedCluster");
    expect(cluster!.inputs).toMatchObject({
      resourceName: "shop-c0ffe",
      dnsPrefix: "shop-c0ffe",
      identity: { type: "SystemAssigned" },
      disableLocalAccounts: false,
      agentPoolProfiles: [
        { name: "system", mode: "System", count: 2, vmSize: "Standard_D2s_v5", enableAutoScaling: false },
      ],
    });
    expect(ofType(r, "azure-native:containerservice:AgentPool")[0]!.inputs).toMatchObject({
      agentPoolName: "workers",
      mode: "User",
      count: 3,
      enableAutoScaling: true,
      minCount: 2,
      maxCount: 6,
      osDiskSizeGB: 128,
      vmSize: "Standard_D4s_v5",
    });
  });

  it("puts the cluster in a resource group the spec names, with the pools' labels and taints", async () => {
    const r = await run({
      resourceGroupName: "rg-fleet",
      version: "1.33",
      nodePools: [
        { name: "system", replicas: 1, labels: { role: "system" } },
        {
          name: "gpu",
          replicas: 0,
          taints: [
            { key: "gpu", value: "true", effect: "NoSchedule" },
            { key: "x", effect: "NoExecute" },
          ],
        },
      ],
    });
    expect(ofType(r, "azure-native:resources:ResourceGroup")).toEqual([]);
    const [cluster] = ofType(r, "azure-native:containerservice:ManagedCluster");
    expect(cluster!.inputs).toMatchObject({
      resourceGroupName: "rg-fleet",
      kubernetesVersion: "1.33",
      agentPoolProfiles: [{ nodeLabels: { role: "system" }, nodeTaints: [] }],
    });
    expect(ofType(r, "azure-native:containerservice:AgentPool")[0]!.inputs).toMatchObject({
      resourceGroupName: "rg-fleet",
      count: 0,
      nodeTaints: ["gpu=true:NoSchedule", "x:NoExecute"],
    });
  });

  it("tags every resource that takes tags with the infraID, the uid and the spec's tags", async () => {
    const r = await run({ ...TWO_POOLS, tags: { costCenter: "shop" } });
    const tagged = r.resources.filter(
      (x) => x.type.startsWith("azure-native:") && x.type !== "azure-native:network:Subnet",
    );
    expect(tagged).toHaveLength(4);
    for (const resource of tagged)
      expect(resource.inputs.tags, `${resource.type}`).toEqual({
        costCenter: "shop",
        "slipway-cluster-name": "shop",
        "slipway-infra-id": "shop-c0ffe",
        "slipway-cluster-deployment-uid": UID,
      });
  });

  it("hibernates by scaling user pools to zero and the system pool to one node: nothing else changes", async () => {
    const running = await run(TWO_POOLS);
    const hibernating = await run(TWO_POOLS, { powerState: "Hibernating" });
    expect(hibernationDiff(running, hibernating)).toEqual({
      "azure-native:containerservice:ManagedCluster shop-aks": ["agentPoolProfiles[0].count"],
      "azure-native:containerservice:AgentPool shop-workers": [
        "count",
        "enableAutoScaling",
        "maxCount",
        "minCount",
      ],
    });
    expect(ofType(hibernating, "azure-native:containerservice:AgentPool")[0]!.inputs).toMatchObject({
      count: 0,
      enableAutoScaling: false,
    });
    const [cluster] = ofType(hibernating, "azure-native:containerservice:ManagedCluster");
    expect((cluster!.inputs.agentPoolProfiles as { count: number }[])[0]!.count).toBe(1);
  });

  it("reports a hibernating cluster whose user pool was scaled up outside Slipway as Running after a refresh", async () => {
    const woken = await run(TWO_POOLS, {
      powerState: "Hibernating",
      state: (args) => (args.type === "azure-native:containerservice:AgentPool" ? { count: 3 } : {}),
    });
    expect(woken.outputs.powerState!.value).toBe("Running");
    const asleep = await run(TWO_POOLS, { powerState: "Hibernating" });
    expect(asleep.outputs.powerState!.value).toBe("Hibernating");
  });

  it("returns every cluster output from the admin kubeconfig, which is secret; the principal only reaches the provider", async () => {
    const secret = canary();
    const r = await run({}, { secret });
    expectClusterOutputsAndCredentials(r, secret, "pulumi:providers:azure-native");
    expect(r.outputs.apiURL).toEqual({
      value: "https://shop-c0ffe-dns.hcp.westeurope.azmk8s.io:443",
      secret: false,
    });
    expect(r.outputs.caData).toEqual({ value: "QUtTIENB", secret: false });
    expect(r.outputs.kubeconfig).toEqual({ value: ADMIN_KUBECONFIG, secret: true });
  });

  it("refuses a system pool without nodes and a subnet outside the network, before Pulumi runs", () => {
    expect(validate({ nodePools: [{ name: "system", replicas: 0 }] })).toThrow(
      /node pool system is AKS's system pool \(the first\) and needs at least one node/,
    );
    expect(validate({ subnetCIDR: "192.168.0.0/24" })).toThrow(
      /subnetCIDR 192\.168\.0\.0\/24 is not inside vnetCIDR/,
    );
    expect(azure.credentials?.keys).toEqual(["osServicePrincipal.json"]);
  });
});
