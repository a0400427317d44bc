/**
 * The HostedCluster controller in-process against the shared hub and Redis, without a worker (queued jobs stay
 * queued): what it decides when a HostedCluster is created and deleted, in HyperShift's order.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ABANDON_DEPROVISION_ANNOTATION, type HostedCluster, type NodePool } from "../../../src/api/index.js";
import { hostedClusterResource, nodePoolResource } from "../../../src/api/resources.js";
import { register } from "../../../src/provisioners/hosted-cluster/controller.js";
import { getCondition, type Condition } from "../../../src/runtime/conditions.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { configureLogging } from "../../../src/runtime/logging.js";
import { Manager } from "../../../src/runtime/manager.js";
import { testControllerDependencies } from "../../harness/controller-deps.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, newNamespaces } from "../../harness/hub.js";

const HOLD = "test.slipway.dev/hold";

describe("HostedCluster controller decisions", () => {
  let client: KubeClient;
  let manager: Manager;
  let ns: string;
  let closeJobs: () => Promise<void>;

  beforeAll(async () => {
    configureLogging({ level: "warn" });
    client = new KubeClient(hubKubeConfig());
    ({ "hc-decisions": ns } = await newNamespaces(["hc-decisions"]));
    const deps = testControllerDependencies(client, `t-hc-${randomBytes(3).toString("hex")}`);
    manager = new Manager({ client, namespaces: [ns] });
    register(manager, deps);
    manager.add(deps.jobs);
    closeJobs = () => deps.jobs.close();
    await manager.start({ cacheSyncTimeoutMs: 30_000 });
  });

  afterAll(async () => {
    await manager?.stop();
    await closeJobs?.();
    client?.close();
  });

  const get = (name: string) => client.getIfExists<HostedCluster>(hostedClusterResource, ns, name);
  const condition = (hc: HostedCluster | undefined, type: string) =>
    getCondition(hc?.status?.conditions as Condition[] | undefined, type);

  it("deletes the NodePools first and waits for them, then destroys the control plane", async () => {
    await client.create(hostedClusterResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "HostedCluster",
      metadata: { name: "tenant", namespace: ns },
      spec: {
        release: { version: "1.36" },
        platform: { simulated: { provisionSeconds: 0 } },
        registration: { enabled: false },
      },
    });
    const provisioning = await eventually("an up queued for tenant", async () => {
      const hc = await get("tenant");
      return hc?.status?.stack?.type === "up" ? hc : undefined;
    });
    expect(provisioning.status?.powerState).toBe("Provisioning");
    expect(condition(provisioning, "Available")?.reason).toBe("Provisioning");
    expect(condition(provisioning, "Progressing")?.status).toBe("True");
    expect(provisioning.metadata?.finalizers).toContain("slipway.dev/hosted-cluster");

    // A pool of this cluster whose own cleanup holds it, and one of another cluster.
    for (const [name, clusterName] of [
      ["tenant-workers", "tenant"],
      ["other-workers", "other"],
    ])
      await client.create(nodePoolResource, {
        apiVersion: "slipway.dev/v1alpha1",
        kind: "NodePool",
        metadata: { name, namespace: ns, finalizers: [HOLD] },
        spec: { clusterName, replicas: 1, platform: { simulated: {} } },
      });

    await client.delete(hostedClusterResource, ns, "tenant");
    const waiting = await eventually("tenant waits for its NodePool", async () => {
      const hc = await get("tenant");
      return condition(hc, "Reconciling")?.reason === "WaitingForNodePools" ? hc : undefined;
    });
    expect(condition(waiting, "Reconciling")?.message).toContain("tenant-workers");
    expect(waiting.status?.stack?.type).toBe("up"); // no destroy while a pool is left
    const pool = await client.get<NodePool>(nodePoolResource, ns, "tenant-workers");
    expect(pool.metadata?.deletionTimestamp).toBeDefined();
    const other = await client.get<NodePool>(nodePoolResource, ns, "other-workers");
    expect(other.metadata?.deletionTimestamp).toBeUndefined();

    // The pool goes: the queued up is withdrawn and the destroy queued.
    await client.patch(
      nodePoolResource,
      ns,
      "tenant-workers",
      { metadata: { finalizers: [] } },
      { type: "merge" },
    );
    const destroying = await eventually("tenant's destroy queued", async () => {
      const hc = await get("tenant");
      return hc?.status?.stack?.type === "destroy" ? hc : undefined;
    });
    expect(destroying.status?.powerState).toBe("Deprovisioning");
    expect(condition(destroying, "Reconciling")?.status).toBe("True");

    // No worker runs it here: the deliberate release ends the deletion.
    await client.patch(
      hostedClusterResource,
      ns,
      "tenant",
      { metadata: { annotations: { [ABANDON_DEPROVISION_ANNOTATION]: "true" } } },
      { type: "merge" },
    );
    await eventually("tenant released", async () => ((await get("tenant")) ? undefined : true));
    await client.patch(
      nodePoolResource,
      ns,
      "other-workers",
      { metadata: { finalizers: [] } },
      { type: "merge" },
    );
  }, 60_000);

  it("releases a HostedCluster that never got a stack at once, and stalls one on a platform with no program", async () => {
    await client.create(hostedClusterResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "HostedCluster",
      metadata: { name: "on-gcp", namespace: ns },
      spec: {
        release: { version: "1.36" },
        platform: { gcp: { region: "europe-west1", credentialsRef: { name: "gcp" } } },
        registration: { enabled: false },
      },
    });
    const stalled = await eventually("on-gcp Stalled", async () => {
      const hc = await get("on-gcp");
      return condition(hc, "Stalled")?.status === "True" ? hc : undefined;
    });
    expect(condition(stalled, "Stalled")?.reason).toBe("UnsupportedPlatform");
    expect(stalled.status?.stack).toBeUndefined();
    await client.delete(hostedClusterResource, ns, "on-gcp");
    await eventually("on-gcp released", async () => ((await get("on-gcp")) ? undefined : true));
  }, 60_000);
});
