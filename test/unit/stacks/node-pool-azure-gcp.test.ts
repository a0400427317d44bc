import { describe, expect, it } from "vitest";
import { platformDefinition } from "../../../stacks/index.js";
import { canary, ofType, type ProgramRun } from "../../harness/cloud-mocks.js";
import { azureCredentials, azureMocks, gcpCredentials, gcpMocks } from "../../harness/cloud-samples.js";
import {
  HOSTED_API,
  nodePoolRunner,
  plainSightings,
  POOL_UID,
  sampleNodePoolInputs,
  secretValue,
} from "../../harness/node-pool-mocks.js";

// The azure and gcp NodePool programs under Pulumi's mocks, one table: the provider's node group of self-managed
// machines (a scale set; an instance template and a regional managed instance group) whose boot config joins a
// management-mode HostedCluster's API with a bootstrap token (the aws program has its own file).
interface Cloud {
  name: "azure" | "gcp";
  platform: Record<string, unknown>;
  mocks: typeof azureMocks;
  credentials: (secret: string) => Record<string, string>;
  /** The resource types the program declares. */
  types: string[];
  /** The boot config, from the resource input that must hold it as a secret. */
  bootInput: (r: ProgramRun) => unknown;
  bootText: (input: unknown) => string;
  /** The desired size of the group. */
  size: (r: ProgramRun) => number;
  /** Where the machines go and what they are. */
  machine: (r: ProgramRun) => Record<string, unknown>;
  expectedMachine: Record<string, unknown>;
  labels: (r: ProgramRun) => Record<string, string>;
}

const azureScaleSet = (r: ProgramRun) =>
  ofType(r, "azure-native:compute:VirtualMachineScaleSet")[0]!.inputs as {
    sku: { name: string; capacity: number };
    virtualMachineProfile: unknown;
    tags: Record<string, string>;
  };
const gcpTemplate = (r: ProgramRun) => ofType(r, "gcp:compute/instanceTemplate:InstanceTemplate")[0]!.inputs;
const gcpGroup = (r: ProgramRun) =>
  ofType(r, "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager")[0]!.inputs;

const clouds: Cloud[] = [
  {
    name: "azure",
    platform: {
      region: "westeurope",
      credentialsRef: { name: "azure-creds" },
      resourceGroupName: "rg-fleet",
      subnetID:
        "/subscriptions/0000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes",
      imageID: "/subscriptions/0000/resourceGroups/rg-img/providers/Microsoft.Compute/images/node-1-33",
      sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample ops@example.com",
    },
    mocks: azureMocks,
    credentials: azureCredentials,
    types: [
      "azure-native:compute:VirtualMachineScaleSet",
      "pulumi:providers:azure-native",
      "slipway:azure:NodePool",
    ],
    bootInput: (r) => secretValue(azureScaleSet(r).virtualMachineProfile),
    bootText: (input) =>
      Buffer.from((input as { osProfile: { customData: string } }).osProfile.customData, "base64").toString(
        "utf8",
      ),
    size: (r) => azureScaleSet(r).sku.capacity,
    machine: (r) => azureScaleSet(r) as unknown as Record<string, unknown>,
    expectedMachine: {
      vmScaleSetName: "batch-5f0e9",
      resourceGroupName: "rg-fleet",
      sku: { name: "Standard_D4s_v5" },
      orchestrationMode: "Uniform",
      upgradePolicy: { mode: "Rolling" },
    },
    labels: (r) => azureScaleSet(r).tags,
  },
  {
    name: "gcp",
    platform: {
      region: "europe-west1",
      credentialsRef: { name: "gcp-creds" },
      subnetwork: "nodes-europe-west1",
      image: "projects/fleet-prod-1/global/images/node-1-33",
    },
    mocks: gcpMocks,
    credentials: gcpCredentials,
    types: [
      "gcp:compute/instanceTemplate:InstanceTemplate",
      "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager",
      "pulumi:providers:gcp",
      "slipway:gcp:NodePool",
    ],
    bootInput: (r) => secretValue(gcpTemplate(r).metadata),
    bootText: (input) => (input as Record<string, string>)["user-data"]!,
    size: (r) => gcpGroup(r).targetSize as number,
    machine: (r) => ({ ...gcpTemplate(r), group: gcpGroup(r) }),
    expectedMachine: {
      namePrefix: "batch-5f0e9-",
      machineType: "e2-standard-4",
      disks: [{ sourceImage: "projects/fleet-prod-1/global/images/node-1-33", diskSizeGb: 50, boot: true }],
      networkInterfaces: [{ subnetwork: "nodes-europe-west1" }],
      group: { name: "batch-5f0e9", region: "europe-west1", updatePolicy: { type: "PROACTIVE" } },
    },
    labels: (r) => gcpTemplate(r).labels as Record<string, string>,
  },
];

describe.each(clouds)("$name NodePool program", (cloud) => {
  const definition = platformDefinition(cloud.name)!;
  const run = nodePoolRunner(definition, cloud.platform, { ...cloud.mocks, credentials: cloud.credentials });

  it("declares the provider's node group from the spec, labelled with the pool", async () => {
    const r = await run();
    expect(r.resources.map((x) => x.type).sort()).toEqual(cloud.types);
    expect(definition.nodePoolNodes).toBe("provider-node-group");
    expect(cloud.machine(r)).toMatchObject(cloud.expectedMachine);
    expect(cloud.labels(r)).toMatchObject({
      "slipway-nodepool": "batch",
      "slipway-hosted-cluster": "tenant-a",
      "slipway-infra-id": "batch-5f0e9",
    });
    expect(cloud.labels(r)["slipway-nodepool-uid"]).toBe(POOL_UID);
    const program = definition.programs.NodePool!;
    const inputs = program.validate(sampleNodePoolInputs(cloud.platform));
    expect(program.describe(inputs).expectedResources).toBe(r.resources.length + 1);
  });

  it("sizes the group from Slipway's count within autoScaling's bounds, 0 in hibernation, nothing else changing", async () => {
    expect(cloud.size(await run({ replicas: 3 }))).toBe(3);
    expect(cloud.size(await run({ replicas: 9, autoScaling: { min: 1, max: 6 } }))).toBe(6);
    expect(cloud.size(await run({ replicas: 3 }, { powerState: "Hibernating" }))).toBe(0);
    const before = await run({ replicas: 2 });
    const after = await run({ replicas: 5 });
    expect(cloud.size(after)).toBe(5);
    expect(cloud.bootText(cloud.bootInput(after))).toBe(cloud.bootText(cloud.bootInput(before)));
  });

  it("boots kubelet with the pool's labels and taints against the hosted API; the token only as a secret", async () => {
    const token = `abcdef.${canary().toLowerCase().slice(0, 16)}`;
    const r = await run(
      { nodeLabels: { tier: "batch" }, taints: [{ key: "dedicated", value: "batch", effect: "NoSchedule" }] },
      { token },
    );
    const input = cloud.bootInput(r);
    expect(input).toBeDefined(); // held as a secret: encrypted in the state
    const boot = cloud.bootText(input);
    expect(boot).toContain(
      "--node-labels=tier=batch,slipway.dev/nodepool=batch,slipway.dev/node-version=1.33.1",
    );
    expect(boot).toContain("--register-with-taints=dedicated=batch:NoSchedule");
    expect(boot).toContain(`server: ${HOSTED_API}`);
    expect(boot).toContain(`token: ${token}`);
    expect(plainSightings(r, token)).toEqual([]);
    const key = canary();
    const keyed = await nodePoolRunner(definition, cloud.platform, {
      ...cloud.mocks,
      credentials: () => cloud.credentials(key),
    })();
    expect(plainSightings(keyed, key)).toEqual([]);
  });
});
