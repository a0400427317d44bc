import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment, ClusterFailover, ClusterPool } from "../../../src/api/index.js";
import { FAILOVER_ANNOTATION } from "../../../src/api/index.js";
import {
  clusterDeploymentResource,
  clusterFailoverResource,
  clusterPoolResource,
} from "../../../src/api/resources.js";
import {
  PowerSimulator,
  SIMULATED_RESUME_FAILURE_LABEL,
  simulatedStatus,
} from "../../../src/bench/power-simulator.js";
import { register as registerFailover } from "../../../src/failover/index.js";
import { register as registerPools } from "../../../src/pools/index.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { configureLogging } from "../../../src/runtime/logging.js";
import { Manager } from "../../../src/runtime/manager.js";
import { markClusterProvisionedForTest } from "../../builders/cluster-deployment.js";
import { clusterPool } from "../../builders/cluster-pool.js";
import { testControllerDependencies } from "../../harness/controller-deps.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, newNamespaces } from "../../harness/hub.js";
import { condition, poolClusters } from "../../harness/pool-harness.js";

let manager: Manager;
let client: KubeClient;
let namespaces: Record<(typeof testNamespaces)[number], string>;
const testNamespaces = [
  "fo-admit",
  "fo-pool",
  "fo-refuse",
  "fo-overlap",
  "fo-fail",
  "fo-cancel",
  "fo-pooldel",
] as const;
const simulators: PowerSimulator[] = [];

beforeAll(async () => {
  configureLogging({ level: "warn" });
  client = new KubeClient(hubKubeConfig());
  namespaces = await newNamespaces(testNamespaces);
  manager = new Manager({ client, namespaces: Object.values(namespaces) });
  const deps = testControllerDependencies(client, "failover");
  registerPools(manager, deps, { poolRequeueAfterMs: 1_000 });
  // No registration controller here: a resumed cluster is back once it runs.
  registerFailover(manager, deps, { registrationRequired: false });
  await manager.start({ cacheSyncTimeoutMs: 30_000 });
});

afterAll(async () => {
  for (const simulator of simulators) await simulator.stop();
  await manager?.stop();
  client?.close();
});

async function simulate(namespace: string, resumeDelayMs: number): Promise<PowerSimulator> {
  const simulator = new PowerSimulator({ client, namespace, resumeDelayMs });
  await simulator.start();
  simulators.push(simulator);
  return simulator;
}

/**
 * What the simulator writes when a resume ends, at a moment the test picks (the cases that act while a resume is
 * in flight): the named clusters report Running and Ready.
 */
async function reportRunning(namespace: string, names: string[]): Promise<void> {
  for (const name of names) {
    const cd = await client.get<ClusterDeployment>(clusterDeploymentResource, namespace, name);
    await client.patch(
      clusterDeploymentResource,
      namespace,
      name,
      { status: simulatedStatus(cd, "Running") },
      { type: "merge", subresource: "status" },
    );
  }
}

function failover(name: string, namespace: string, spec: Record<string, unknown>) {
  return { apiVersion: "slipway.dev/v1alpha1", kind: "ClusterFailover", metadata: { name, namespace }, spec };
}

const getFailover = (ns: string, name: string) =>
  client.get<ClusterFailover>(clusterFailoverResource, ns, name);

async function waitForPhase(ns: string, name: string, phases: string[], timeoutMs = 30_000) {
  return eventually(
    `failover ${name} in ${phases.join(" or ")}`,
    async () => {
      const fo = await getFailover(ns, name);
      return phases.includes(fo.status?.phase ?? "") && fo;
    },
    timeoutMs,
  );
}

async function waitForStall(ns: string, name: string, reason: string) {
  return eventually(`failover ${name} Stalled ${reason}`, async () => {
    const fo = await getFailover(ns, name);
    const stalled = condition(fo, "Stalled");
    return stalled?.status === "True" && stalled.reason === reason && fo;
  });
}

/** A pool of `size` hibernated clusters, installed (the test plays the ClusterDeployment controller). */
async function hibernatedPool(ns: string, name: string, size: number): Promise<ClusterDeployment[]> {
  await client.create(clusterPoolResource, clusterPool(name, ns, { size, runningCount: 0 }));
  const cds = await eventually(`${size} clusters of ${name}`, async () => {
    const list = await poolClusters(client, ns, name);
    return list.length === size && list.every((cd) => cd.spec.powerState === "Hibernating") && list;
  });
  for (const cd of cds) await markClusterProvisionedForTest(client, cd, { powerState: "Hibernating" });
  return cds;
}

/** Standalone hibernated clusters with a label a selector picks. */
async function hibernatedClusters(ns: string, names: string[], labels: Record<string, string> = {}) {
  for (const name of names) {
    const manifest = {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterDeployment",
      metadata: {
        name,
        namespace: ns,
        labels: { site: "standby", ...(labels[name] ? { [labels[name]]: "true" } : {}) },
      },
      spec: { clusterName: name, powerState: "Hibernating", platform: { simulated: {} } },
    };
    const cd = await client.create<ClusterDeployment>(
      clusterDeploymentResource,
      manifest as unknown as ClusterDeployment,
    );
    await markClusterProvisionedForTest(client, cd, { powerState: "Hibernating" });
  }
}

const byName = async (ns: string) =>
  new Map(
    (await client.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns })).items.map((cd) => [
      cd.metadata.name!,
      cd,
    ]),
  );

describe("ClusterFailover admission", () => {
  it("refuses a set named twice or not at all, a bad maxConcurrent, a changed set and an undone cancel", async () => {
    const ns = namespaces["fo-admit"];
    const refused = async (spec: Record<string, unknown>) => {
      try {
        await client.create(
          clusterFailoverResource,
          failover(`bad-${Math.random().toString(36).slice(2, 8)}`, ns, spec),
        );
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(spec)}`);
    };
    expect(await refused({ standby: { poolName: "a", selector: { matchLabels: { x: "y" } } } })).toContain(
      "name the clusters with exactly one of poolName and selector",
    );
    expect(await refused({ standby: {} })).toContain("exactly one of poolName and selector");
    expect(await refused({ standby: { poolName: "a" }, maxConcurrent: 0 })).toMatch(/maxConcurrent/);
    expect(await refused({ standby: { poolName: "a" }, resumeTimeout: "forever" })).toContain(
      "must be a duration",
    );

    await client.create(
      clusterFailoverResource,
      failover("ok", ns, { standby: { poolName: "a" }, cancel: true }),
    );
    const change = async (patch: Record<string, unknown>) =>
      client.patch(clusterFailoverResource, ns, "ok", { spec: patch }, { type: "merge" }).then(
        () => "accepted",
        (error: Error) => error.message,
      );
    expect(await change({ cancel: false })).toContain("cancel cannot be undone");
    expect(await change({ standby: { poolName: "b" } })).toContain("standby and primary are immutable");
  });
});

describe("ClusterFailover controller", () => {
  it("resumes a hibernated pool at most maxConcurrent at a time, keeps it running and reports the RTO", async () => {
    const ns = namespaces["fo-pool"];
    const simulator = await simulate(ns, 1_500);
    const cds = await hibernatedPool(ns, "standby", 3);
    await client.create(
      clusterFailoverResource,
      failover("dr", ns, { standby: { poolName: "standby" }, maxConcurrent: 2 }),
    );

    const done = await waitForPhase(ns, "dr", ["Succeeded"]);
    const status = done.status!;
    expect(status).toMatchObject({ total: 3, ready: 3, failed: 0, pending: 0, resuming: 0 });
    expect(condition(done, "Ready")).toMatchObject({ status: "True", reason: "Succeeded" });
    // Two waves of a 1.5 s resume: the third cluster was asked only after one of the first two was Ready.
    expect(status.rtoSeconds).toBeGreaterThanOrEqual(3);
    const [a, b, c] = status.clusters!;
    expect(new Date(c!.resumeRequestedAt!).getTime()).toBeGreaterThanOrEqual(
      Math.min(new Date(a!.readyAt!).getTime(), new Date(b!.readyAt!).getTime()),
    );
    expect(Math.max(...[...simulator.resumes.values()].map((r) => r.seenAt))).toBeGreaterThan(0);

    // runningCount is 0, yet the pool leaves the failover's clusters running: a pool pass that decided after the
    // failover ended (one for a new generation of the pool, whose maxConcurrent does not touch these clusters)
    // keeps them as they are, rather than whatever passes a fixed 3 s happened to hold.
    const poolGeneration = (
      await client.patch<ClusterPool>(
        clusterPoolResource,
        ns,
        "standby",
        { spec: { maxConcurrent: 3 } },
        { type: "merge" },
      )
    ).metadata.generation;
    await eventually(
      "a pool pass for its new generation",
      async () =>
        (await client.get<ClusterPool>(clusterPoolResource, ns, "standby")).status?.observedGeneration ===
        poolGeneration,
    );
    const after = await byName(ns);
    for (const cd of cds) {
      const now = after.get(cd.metadata.name!)!;
      expect(now.spec.powerState).toBe("Running");
      expect(now.metadata.annotations?.[FAILOVER_ANNOTATION]).toBe("dr");
    }

    // Repeating it is safe: a second failover of the same, now running, set ends at once with nothing to resume.
    await client.create(
      clusterFailoverResource,
      failover("dr-again", ns, { standby: { poolName: "standby" } }),
    );
    const again = await waitForPhase(ns, "dr-again", ["Succeeded"]);
    expect(again.status!.clusters!.every((e) => e.state === "Ready" && e.wasRunning)).toBe(true);
  });

  it("refuses a set that matches nothing, a pool that does not exist and a second failover on the same pool", async () => {
    const ns = namespaces["fo-refuse"];
    // No simulator: the first failover's resumes end when the test says, after the second has seen it running
    // (a fixed resume time let the first end before the second's pass on a loaded machine).
    await client.create(
      clusterFailoverResource,
      failover("nothing", ns, { standby: { selector: { matchLabels: { site: "nowhere" } } } }),
    );
    const nothing = await waitForStall(ns, "nothing", "NoClustersMatched");
    expect(condition(nothing, "Stalled")!.message).toContain("selector matches no ClusterDeployment");

    await client.create(clusterFailoverResource, failover("nopool", ns, { standby: { poolName: "ghost" } }));
    const nopool = await waitForStall(ns, "nopool", "PoolNotFound");
    expect(condition(nopool, "Stalled")!.message).toContain("ClusterPool ghost does not exist");

    const standby = await hibernatedPool(ns, "standby", 2);
    await client.create(clusterFailoverResource, failover("first", ns, { standby: { poolName: "standby" } }));
    await waitForPhase(ns, "first", ["Running"]);
    await client.create(
      clusterFailoverResource,
      failover("second", ns, { standby: { poolName: "standby" } }),
    );
    const second = await waitForStall(ns, "second", "SetInUse");
    expect(condition(second, "Stalled")!.message).toContain("ClusterFailover first is still running");
    expect(second.status?.clusters).toBeUndefined();

    // Once the first ends, the second starts and finds everything running.
    await reportRunning(
      ns,
      standby.map((cd) => cd.metadata.name!),
    );
    await waitForPhase(ns, "first", ["Succeeded"]);
    // The stalled second retries 15 s after its SetInUse pass.
    const secondDone = await waitForPhase(ns, "second", ["Succeeded"], 40_000);
    expect(secondDone.status!.clusters!.every((e) => e.state === "Ready" && e.wasRunning)).toBe(true);
  });

  it("stalls a failover whose standby and primary selectors share a cluster, resuming and hibernating nothing", async () => {
    const ns = namespaces["fo-overlap"];
    // All three are standby clusters (site: standby); "shared" is also labelled prod, which primary selects.
    await hibernatedClusters(ns, ["dr-a", "dr-b", "shared"], { shared: "prod" });
    await client.create(
      clusterFailoverResource,
      failover("overlap", ns, {
        standby: { selector: { matchLabels: { site: "standby" } } },
        primary: { selector: { matchLabels: { prod: "true" } } },
      }),
    );
    const stalled = await waitForStall(ns, "overlap", "StandbyPrimaryOverlap");
    expect(condition(stalled, "Stalled")!.message).toContain(
      "spec.standby and spec.primary both name cluster shared:",
    );
    expect(stalled.status?.phase).not.toBe("Succeeded");
    expect(stalled.status?.clusters).toBeUndefined();
    for (const cd of (await byName(ns)).values()) {
      expect(cd.spec.powerState, cd.metadata.name).toBe("Hibernating");
      expect(cd.metadata.annotations?.[FAILOVER_ANNOTATION], cd.metadata.name).toBeUndefined();
    }
  });

  it("gives up on a cluster whose resume fails and keeps the others running (PartiallyFailed)", async () => {
    const ns = namespaces["fo-fail"];
    await simulate(ns, 500);
    await hibernatedClusters(ns, ["east-1", "east-2", "east-3"], {
      "east-2": SIMULATED_RESUME_FAILURE_LABEL,
    });
    await client.create(
      clusterFailoverResource,
      failover("dr", ns, { standby: { selector: { matchLabels: { site: "standby" } } }, maxConcurrent: 3 }),
    );
    const fo = await waitForPhase(ns, "dr", ["PartiallyFailed"]);
    expect(fo.status).toMatchObject({ total: 3, ready: 2, failed: 1 });
    expect(fo.status!.clusters!.find((e) => e.name === "east-2")).toMatchObject({
      state: "Failed",
      reason: "ClusterStalled",
    });
    expect(condition(fo, "Stalled")).toMatchObject({ status: "True", reason: "PartiallyFailed" });
    expect(condition(fo, "Stalled")!.message).toContain("east-2 (ClusterStalled)");
  });

  it("cancelled half way: clusters already resumed stay running, the rest stay hibernated", async () => {
    const ns = namespaces["fo-cancel"];
    // No simulator: c1 and c2 finish resuming only after the controller has seen the cancel (a fixed 3 s resume
    // could end before it on a loaded machine, and the controller then asked c3 and c4 to run).
    await hibernatedClusters(ns, ["c1", "c2", "c3", "c4"]);
    await client.create(
      clusterFailoverResource,
      failover("dr", ns, { standby: { selector: { matchLabels: { site: "standby" } } }, maxConcurrent: 2 }),
    );
    await eventually("two clusters asked to run", async () => {
      const fo = await getFailover(ns, "dr");
      return fo.status?.resuming === 2;
    });
    await client.patch(clusterFailoverResource, ns, "dr", { spec: { cancel: true } }, { type: "merge" });
    const cancelling = await waitForPhase(ns, "dr", ["Cancelling"]);
    expect(cancelling.status).toMatchObject({ total: 4, resuming: 2, cancelled: 2 });
    await reportRunning(ns, ["c1", "c2"]);
    const fo = await waitForPhase(ns, "dr", ["Cancelled"]);
    expect(fo.status).toMatchObject({ total: 4, ready: 2, cancelled: 2 });
    expect(condition(fo, "Ready")).toMatchObject({ status: "True", reason: "Cancelled" });
    const cds = await byName(ns);
    expect(["c1", "c2"].map((n) => cds.get(n)!.status?.powerState)).toEqual(["Running", "Running"]);
    expect(["c3", "c4"].map((n) => cds.get(n)!.spec.powerState)).toEqual(["Hibernating", "Hibernating"]);
    expect(cds.get("c3")!.metadata.annotations?.[FAILOVER_ANNOTATION]).toBeUndefined();
  });

  it("a pool deleted mid-failover ends it with reason PoolDeleted, nothing left waiting", async () => {
    const ns = namespaces["fo-pooldel"];
    await simulate(ns, 3_000);
    await hibernatedPool(ns, "standby", 3);
    await client.create(
      clusterFailoverResource,
      failover("dr", ns, { standby: { poolName: "standby" }, maxConcurrent: 1 }),
    );
    await waitForPhase(ns, "dr", ["Running"]);
    await client.delete(clusterPoolResource, ns, "standby");
    const fo = await waitForPhase(ns, "dr", ["Failed", "PartiallyFailed"]);
    expect(fo.status!.pending).toBe(0);
    expect(fo.status!.resuming).toBe(0);
    expect(fo.status!.clusters!.some((e) => e.reason === "PoolDeleted")).toBe(true);
    expect(condition(fo, "Stalled")).toMatchObject({ status: "True", reason: "PoolDeleted" });
  });
});
