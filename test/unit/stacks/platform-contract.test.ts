import { describe, expect, it } from "vitest";
import type { ClusterPlatform } from "../../../src/api/platform.js";
import { ClusterDeploymentReason } from "../../../src/api/reasons.js";
import { TerminalStackError } from "../../../src/errors/index.js";
import { platforms, type PlatformDefinition } from "../../../stacks/index.js";
import { CLUSTER_SECRET_OUTPUTS } from "../../../stacks/types.js";
import {
  canary,
  canarySightings,
  runCloudProgram,
  type MockCall,
  type MockState,
} from "../../harness/cloud-mocks.js";
import {
  awsCredentials,
  awsMocks,
  azureCredentials,
  azureMocks,
  gcpCredentials,
  gcpMocks,
} from "../../harness/cloud-samples.js";

// The contract every platform of stacks/index.ts keeps, whatever runs its clusters: a ClusterDeployment program
// that validates its inputs before Pulumi runs, the same outputs with the kubeconfig secret, and, for a cloud,
// the credentials keys it reads and the provider plugins it needs.
const UID = "0b7c2f4e-9d1a-4c4e-8f00-5a1e2d3c4b5a";

interface Sample {
  platform: Record<string, unknown>;
  host?: Record<string, unknown>;
  /** Runs under Pulumi's mocks without this machine's binaries: the clouds, and simulated. */
  mocks?: { state?: MockState; call?: MockCall; credentials: (secret: string) => Record<string, string> };
}

const samples: Record<string, Sample> = {
  local: { platform: {}, host: { dataDir: "/var/lib/slipway/clusters/x", binDir: "/opt/slipway/bin" } },
  simulated: {
    platform: { provisionSeconds: 0, credentialsRef: { name: "sim" } },
    mocks: {
      state: (args) => ({
        apiURL: "https://simulated.invalid/c",
        caData: "Q0E=",
        kubeconfig: "simulated",
        infraID: "c-1",
        powerState: args.inputs.powerState,
      }),
      credentials: (secret) => ({ token: secret }),
    },
  },
  aws: {
    platform: { region: "eu-west-1", credentialsRef: { name: "c" } },
    host: { clusterUID: UID },
    mocks: { ...awsMocks, credentials: awsCredentials },
  },
  azure: {
    platform: { region: "westeurope", credentialsRef: { name: "c" } },
    host: { clusterUID: UID },
    mocks: { ...azureMocks, credentials: azureCredentials },
  },
  gcp: {
    platform: { region: "europe-west1", credentialsRef: { name: "c" } },
    host: { clusterUID: UID },
    mocks: { ...gcpMocks, credentials: gcpCredentials },
  },
  vsphere: {
    platform: {
      vCenter: "vcenter.example.com",
      datacenter: "DC0",
      cluster: "DC0_C0",
      defaultDatastore: "LocalDS_0",
      network: "VM Network",
      template: "ubuntu-kubeadm",
      credentialsRef: { name: "vc" },
    },
    host: { clusterUID: UID, dataDir: "/var/lib/slipway/vsphere-guests/x", binDir: "/opt/slipway/bin" },
  },
  // HostedCluster only (management mode): test/unit/stacks/management-kubernetes.test.ts runs its program.
  kubernetes: {
    platform: { credentialsRef: { name: "management" }, imageRepository: "mirror.example.com/k8s" },
  },
};

const raw = (sample: Sample, platform = sample.platform) => ({
  clusterName: "contract",
  powerState: "Running",
  platform,
  ...sample.host,
});

// Platforms with a ClusterDeployment program: `kubernetes` is a HostedCluster-only platform.
const clusterPlatforms = platforms.filter((p) => p.programs.ClusterDeployment);
const implemented = clusterPlatforms.filter((p) => p.implemented);
const clouds = clusterPlatforms.filter((p) => (p.plugins ?? []).length > 0);

describe("the platform contract", () => {
  it("covers every platform of the registry, and the three clouds are implemented", () => {
    expect(Object.keys(samples).sort()).toEqual(platforms.map((p) => p.name).sort());
    expect(clouds.map((p) => p.name).sort()).toEqual(["aws", "azure", "gcp"]);
    expect(clouds.every((p) => p.implemented)).toBe(true);
  });

  it.each(implemented.map((p) => [p.name, p] as const))(
    "%s: refuses inputs the API would refuse, as InvalidInputs naming the field, before Pulumi runs",
    (_name, p: PlatformDefinition) => {
      const program = p.programs.ClusterDeployment!;
      const sample = samples[p.name]!;
      let error: unknown;
      try {
        program.validate(raw(sample, { ...sample.platform, unknownField: 1, version: "one" }));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TerminalStackError);
      expect((error as TerminalStackError).reason).toBe(ClusterDeploymentReason.InvalidInputs);
      expect((error as Error).message).toMatch(/inputs\.platform\./);
    },
  );

  it.each(clouds.map((p) => [p.name, p] as const))(
    "%s: names the credentials keys it reads, the plugin it needs, and adds the uid from the host",
    (_name, p: PlatformDefinition) => {
      expect(p.credentials?.keys.length).toBeGreaterThan(0);
      expect(p.plugins?.length).toBe(1);
      const program = p.programs.ClusterDeployment!;
      const ctx = { stackName: "ns-contract-0b7c2f4e", uid: UID, stateDir: "/s", toolsBinDir: "/t" };
      expect(program.hostInputs?.(ctx)).toEqual({ clusterUID: UID });
      expect(program.describe(program.validate(raw(samples[p.name]!))).idempotentCreate).toBe(false);
    },
  );

  it.each(implemented.filter((p) => samples[p.name]!.mocks).map((p) => [p.name, p] as const))(
    "%s: returns apiURL, caData, kubeconfig (secret), infraID, powerState and drift, never a credential in plain sight",
    async (_name, p: PlatformDefinition) => {
      const sample = samples[p.name]!;
      const secret = canary();
      const run = await runCloudProgram(p, raw(sample), {
        credentials: sample.mocks!.credentials(secret),
        state: sample.mocks!.state,
        call: sample.mocks!.call,
      });
      const outputs = Object.keys(run.outputs).filter((k) => k !== "credentials");
      expect(outputs.sort()).toEqual(["apiURL", "caData", "drift", "infraID", "kubeconfig", "powerState"]);
      expect(run.outputs.drift).toEqual({ value: "", secret: false });
      const secrets = Object.keys(run.outputs).filter((k) => run.outputs[k]!.secret);
      expect(secrets).toEqual([...CLUSTER_SECRET_OUTPUTS]);
      expect(run.outputs.powerState!.value).toBe("Running");
      expect(canarySightings(run, secret)).toEqual([]);
      const description = p.programs.ClusterDeployment!.describe(
        p.programs.ClusterDeployment!.validate(raw(sample)),
      );
      expect(description.secretOutputs).toEqual(CLUSTER_SECRET_OUTPUTS);
    },
  );

  it.each(platforms.map((p) => [p.name, p] as const))(
    "%s: says how its cluster joins the hub, how its API is reached, what hibernation means, and its data folder",
    (_name, p: PlatformDefinition) => {
      expect(["supervised-agent", "simulated-agent", "klusterlet"]).toContain(p.hubJoin.method);
      expect(["admin-kubeconfig", "simulation"]).toContain(p.policyAccess.via);
      expect(p.hibernation.length).toBeGreaterThan(20);
      // A supervised agent runs in the cluster's data folder on the machine that runs its stack.
      if (p.hubJoin.method === "supervised-agent") expect(p.dataFolder).toBeDefined();
      // No API to reach means no agent to run either: both are simulated or neither is.
      expect(p.policyAccess.via === "simulation").toBe(p.hubJoin.method === "simulated-agent");
      const platform = { [p.name]: samples[p.name]!.platform } as ClusterPlatform;
      if (p.hubJoin.method === "simulated-agent") {
        expect(p.hubJoin.leaseDurationSeconds).toBeGreaterThan(0);
        expect(p.hubJoin.latencyMs(platform)).toBeGreaterThanOrEqual(0);
      }
      if (p.policyAccess.via === "simulation") expect(p.policyAccess.evaluation(platform).delayMs).toBe(0);
      if (p.dataFolder) {
        expect(p.dataFolder.root("/state").startsWith("/state/")).toBe(true);
        const hostInputs = p.programs.ClusterDeployment!.hostInputs?.({
          stackName: "ns-x-1",
          uid: UID,
          stateDir: "/state",
          toolsBinDir: "/t",
        });
        expect(hostInputs?.dataDir).toBe(`${p.dataFolder.root("/state")}/ns-x-1`);
      }
    },
  );

  it("the clouds join through OCM's klusterlet and are reached with the admin kubeconfig, keeping no data folder", () => {
    for (const p of clouds) {
      expect(p.hubJoin).toEqual({ method: "klusterlet" });
      expect(p.policyAccess).toEqual({ via: "admin-kubeconfig" });
      expect(p.dataFolder).toBeUndefined();
    }
  });
});
