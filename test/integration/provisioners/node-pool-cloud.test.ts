/**
 * Cloud NodePools through the NodePool controller in-process on the shared hub: a pool on aws for a
 * management-mode HostedCluster stops where a cloud ClusterDeployment stops here (the aws provider plugin is not
 * installed: ProviderPluginMissing, nothing queued), a cloud pool on a local HostedCluster is told to use a
 * management-mode one, and a local pool on a management-mode cluster to use a cloud. No hosted control plane runs:
 * each HostedCluster is written by the test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodePool } from "../../../src/api/index.js";
import { hostedClusterResource, nodePoolResource, secretResource } from "../../../src/api/resources.js";
import type { NodeHeartbeat } from "../../../src/provisioners/node-pool/heartbeat.js";
import { register } from "../../../src/provisioners/node-pool/index.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { configureLogging } from "../../../src/runtime/logging.js";
import { Manager } from "../../../src/runtime/manager.js";
import { testControllerDependencies } from "../../harness/controller-deps.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, newNamespaces } from "../../harness/hub.js";

let manager: Manager;
let heartbeat: NodeHeartbeat;
let hub: KubeClient;
let ns: string;
let prefix: string;
let queuedJobs: () => Promise<Record<string, number>>;

const AWS_POOL = {
  region: "eu-west-1",
  credentialsRef: { name: "aws-creds" },
  subnetIDs: ["subnet-0a1b2c3d"],
  imageID: "ami-0a1b2c3d4e5f60718",
};

async function hostedCluster(name: string, platform: object): Promise<void> {
  await hub.create(hostedClusterResource, {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "HostedCluster",
    metadata: { name, namespace: ns },
    spec: { release: { version: "1.33.1" }, platform, registration: { enabled: false } },
  });
}

async function nodePool(name: string, clusterName: string, platform: object): Promise<void> {
  await hub.create(nodePoolResource, {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "NodePool",
    metadata: { name, namespace: ns },
    spec: { clusterName, replicas: 2, platform },
  });
}

const stalled = (name: string) =>
  eventually(`NodePool ${name} Stalled`, async () => {
    const pool = await hub.get<NodePool>(nodePoolResource, ns, name);
    const condition = pool.status?.conditions?.find((c) => c.type === "Stalled" && c.status === "True");
    return condition ? { pool, condition } : undefined;
  });

beforeAll(async () => {
  configureLogging({ level: "warn" });
  hub = new KubeClient(hubKubeConfig());
  ({ npc: ns } = await newNamespaces(["npc"] as const));
  prefix = `npc-${ns}`;
  await hub.create(secretResource, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "aws-creds", namespace: ns },
    stringData: { aws_access_key_id: "AKIAEXAMPLE", aws_secret_access_key: "not-used" },
  });
  await hostedCluster("managed", {
    kubernetes: { credentialsRef: { name: "mgmt-kubeconfig" }, imageRepository: "mirror.example.com/k8s" },
  });
  await hostedCluster("on-this-machine", { local: {} });
  manager = new Manager({ client: hub, namespaces: [ns] });
  const deps = testControllerDependencies(hub, prefix);
  queuedJobs = () => deps.jobs.queue("pulumi").counts();
  heartbeat = register(manager, deps, { healthIntervalMs: 2_000 });
  manager.add(deps.jobs);
  await manager.start({ cacheSyncTimeoutMs: 30_000 });
}, 60_000);

afterAll(async () => {
  await manager?.stop();
  heartbeat?.stop();
});

describe("NodePools on clouds", () => {
  it("an aws pool of a management-mode HostedCluster waits for the aws provider plugin, naming how to install it", async () => {
    await nodePool("workers", "managed", { aws: AWS_POOL });
    const { pool, condition } = await stalled("workers");
    expect(condition.reason).toBe("ProviderPluginMissing");
    expect(condition.message).toMatch(/aws .*pulumi plugin install resource aws/s);
    expect(pool.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    // Nothing is created meanwhile: no stack job, no join token.
    expect(pool.status?.stack).toBeUndefined();
    const counts = await queuedJobs();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    expect(await hub.getIfExists(secretResource, ns, "workers-join-token")).toBeUndefined();
  });

  it("an aws pool of a local HostedCluster is told to use a management-mode HostedCluster", async () => {
    await nodePool("cloud-on-local", "on-this-machine", { aws: AWS_POOL });
    const { condition } = await stalled("cloud-on-local");
    expect(condition.reason).toBe("ManagementClusterRequired");
    expect(condition.message).toContain(
      "create the HostedCluster in management mode (spec.platform.kubernetes)",
    );
    expect(condition.message).toContain("spec.platform.local");
  });

  it("a local pool of a management-mode HostedCluster is told which clouds it takes", async () => {
    await nodePool("local-on-managed", "managed", { local: {} });
    const { condition } = await stalled("local-on-managed");
    expect(condition.reason).toBe("PlatformMismatch");
    expect(condition.message).toMatch(/create one with spec\.platform\.aws( or |$)/);
  });

  it("a pool that made nothing is deleted at once", async () => {
    await hub.delete(nodePoolResource, ns, "workers");
    await eventually("NodePool workers gone", async () =>
      (await hub.getIfExists(nodePoolResource, ns, "workers")) ? undefined : true,
    );
  });
});
