import { describe, expect, it } from "vitest";
import {
  canary,
  expectClusterOutputsAndCredentials,
  hibernationDiff,
  ofType,
} from "../../harness/cloud-mocks.js";
import { cloudProgram } from "../../harness/cloud-samples.js";

// The gcp program under Pulumi's mocks: what it declares for a few specs, what hibernating changes, and where the
// service account key may (the provider) and may not (outputs, other inputs, logs) be found.
const UID = "7e1d0c2a-55aa-4b1b-9c3d-0123456789ab";
const {
  definition: gcp,
  run,
  validate,
} = cloudProgram("gcp", {
  clusterName: "analytics",
  clusterUID: UID,
  platform: { region: "europe-west1", credentialsRef: { name: "gcp-creds" } },
});

describe("gcp platform program", () => {
  it("declares a network, a VPC-native subnetwork and GKE with its default pool removed, a pool per spec pool", async () => {
    const r = await run({});
    expect(r.resources.map((x) => x.type).sort()).toEqual([
      "gcp:compute/network:Network",
      "gcp:compute/subnetwork:Subnetwork",
      "gcp:container/cluster:Cluster",
      "gcp:container/nodePool:NodePool",
      "pulumi:providers:gcp",
      "slipway:gcp:Cluster",
    ]);
    const program = gcp.programs.ClusterDeployment!;
    const inputs = program.validate({
      clusterName: "analytics",
      powerState: "Running",
      platform: { region: "europe-west1", credentialsRef: { name: "gcp-creds" } },
      clusterUID: UID,
    });
    expect(program.describe(inputs).expectedResources).toBe(r.resources.length + 1);
    expect(ofType(r, "gcp:compute/network:Network")[0]!.inputs).toMatchObject({
      name: "analytics-7e1d0",
      autoCreateSubnetworks: false,
    });
    expect(ofType(r, "gcp:compute/subnetwork:Subnetwork")[0]!.inputs).toMatchObject({
      region: "europe-west1",
      ipCidrRange: "10.0.0.0/20",
      secondaryIpRanges: [
        { rangeName: "pods", ipCidrRange: "10.4.0.0/14" },
        { rangeName: "services", ipCidrRange: "10.8.0.0/20" },
      ],
    });
    expect(ofType(r, "gcp:container/cluster:Cluster")[0]!.inputs).toMatchObject({
      name: "analytics-7e1d0",
      location: "europe-west1",
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      deletionProtection: false,
      ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
    });
    // The project comes from the key when the spec names none.
    expect(ofType(r, "pulumi:providers:gcp")[0]!.inputs).toMatchObject({
      project: "fleet-prod-1",
      region: "europe-west1",
    });
  });

  it("uses a network the spec names, and sizes pools: machine, disk, count or autoscaling, labels, taints", async () => {
    const r = await run({
      network: "shared-vpc",
      projectID: "other-proj-2",
      version: "1.33",
      nodePools: [
        {
          name: "general",
          replicas: 1,
          machineType: "n2-standard-8",
          diskSizeGiB: 200,
          labels: { tier: "web" },
        },
        {
          name: "spot",
          replicas: 0,
          autoScaling: { min: 0, max: 4 },
          taints: [{ key: "spot", effect: "NoExecute" }],
        },
      ],
    });
    expect(ofType(r, "gcp:compute/network:Network")).toEqual([]);
    expect(ofType(r, "gcp:compute/subnetwork:Subnetwork")[0]!.inputs.network).toBe("shared-vpc");
    expect(ofType(r, "gcp:container/cluster:Cluster")[0]!.inputs.minMasterVersion).toBe("1.33");
    expect(ofType(r, "pulumi:providers:gcp")[0]!.inputs.project).toBe("other-proj-2");
    const pools = ofType(r, "gcp:container/nodePool:NodePool").map((p) => p.inputs);
    expect(pools).toMatchObject([
      {
        name: "general",
        nodeCount: 1,
        nodeConfig: { machineType: "n2-standard-8", diskSizeGb: 200, labels: { tier: "web" }, taints: [] },
      },
      {
        name: "spot",
        nodeCount: 0,
        autoscaling: { minNodeCount: 0, maxNodeCount: 4 },
        nodeConfig: {
          machineType: "e2-standard-4",
          diskSizeGb: 50,
          taints: [{ key: "spot", value: "", effect: "NO_EXECUTE" }],
        },
      },
    ]);
    expect(pools[0]!.autoscaling).toBeUndefined();
  });

  it("labels the cluster, its nodes and (through the provider) the rest with the infraID, uid and spec labels", async () => {
    const r = await run({ labels: { team: "data" } });
    const expected = {
      team: "data",
      "slipway-infra-id": "analytics-7e1d0",
      "slipway-cluster-deployment-uid": UID,
      "slipway-cluster-name": "analytics",
    };
    expect(ofType(r, "gcp:container/cluster:Cluster")[0]!.inputs.resourceLabels).toEqual(expected);
    for (const pool of ofType(r, "gcp:container/nodePool:NodePool"))
      expect((pool.inputs.nodeConfig as { resourceLabels: unknown }).resourceLabels).toEqual(expected);
    // Provider inputs reach the engine as JSON.
    expect(JSON.parse(ofType(r, "pulumi:providers:gcp")[0]!.inputs.defaultLabels as string)).toEqual(
      expected,
    );
  });

  it("hibernates by resizing node pools to zero with autoscaling off: nothing else changes", async () => {
    const spec = {
      nodePools: [
        { name: "general", replicas: 3 },
        { name: "spot", replicas: 1, autoScaling: { min: 1, max: 4 } },
      ],
    };
    const running = await run(spec);
    const hibernating = await run(spec, { powerState: "Hibernating" });
    expect(hibernationDiff(running, hibernating)).toEqual({
      "gcp:container/nodePool:NodePool analytics-general": ["nodeCount"],
      "gcp:container/nodePool:NodePool analytics-spot": ["autoscaling", "nodeCount"],
    });
    expect(ofType(hibernating, "gcp:container/nodePool:NodePool").map((p) => p.inputs.nodeCount)).toEqual([
      0, 0,
    ]);
  });

  it("reports pools emptied outside Slipway as Stopped after a refresh, so the next up repairs them", async () => {
    const emptied = await run(
      {},
      {
        state: (args) => (args.type === "gcp:container/nodePool:NodePool" ? { nodeCount: 0 } : {}),
      },
    );
    expect(emptied.outputs.powerState!.value).toBe("Stopped");
  });

  it("returns every cluster output, the kubeconfig secret; the key only reaches the provider", async () => {
    const secret = canary();
    const r = await run({}, { secret });
    expectClusterOutputsAndCredentials(r, secret, "pulumi:providers:gcp");
    expect(r.outputs.apiURL).toEqual({ value: "https://34.78.1.2", secret: false });
    expect(r.outputs.caData).toEqual({ value: "R0tFIENB", secret: false });
    expect(r.outputs.kubeconfig!.value).toContain("token: ya29.minted");
  });

  it("refuses ranges GKE cannot use, before Pulumi runs", () => {
    expect(validate({ podsCIDR: "10.4.0.0/24" })).toThrow(/podsCIDR 10\.4\.0\.0\/24 is smaller than a \/21/);
    expect(gcp.credentials?.keys).toEqual(["osServiceAccount.json"]);
  });
});
