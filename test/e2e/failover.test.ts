import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment, ClusterFailover } from "../../src/api/index.js";
import { FAILOVER_ANNOTATION } from "../../src/api/index.js";
import {
  clusterDeploymentResource,
  clusterFailoverResource,
  clusterPoolResource,
} from "../../src/api/resources.js";
import { POOL_LABEL } from "../../src/pools/index.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { distDir } from "../../src/runtime/paths.js";
import type { KubeObject } from "../../src/runtime/resource.js";
import { clusterPool } from "../builders/cluster-pool.js";
import {
  processesNaming,
  slipwayUnderTest,
  type ComponentProcess,
  type SlipwayUnderTest,
} from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { hubKubeConfig, hubKubeconfigPath, kubectl } from "../harness/hub.js";
import { condition } from "../harness/pool-harness.js";

const isReady = (o: { status?: { conditions?: { type: string; status: string }[] } }) =>
  o.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";

/** The compiled `slipway` CLI against the test hub, without a terminal (stdout is a pipe). */
function slipwayCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(distDir, "src", "cli", "main.js"), ...args], {
      env: { ...process.env, SLIPWAY_KUBECONFIG: hubKubeconfigPath(), SLIPWAY_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("DR failover end to end (controller and worker processes, real stacks)", () => {
  let sut: SlipwayUnderTest;
  let worker: ComponentProcess;
  let kube: KubeClient;
  const namespaces: string[] = [];

  beforeAll(async () => {
    sut = await slipwayUnderTest(
      "e2e-failover",
      { SLIPWAY_LEADER_ELECTION: "false", SLIPWAY_WORKER_CONCURRENCY: "4" },
      { otherNamespaces: ["local", "cancel"] },
    );
    sut.controller();
    worker = sut.worker();
    kube = new KubeClient(hubKubeConfig());
  });

  afterAll(async () => {
    for (const ns of namespaces) {
      await kubectl(["delete", "-n", ns, "clusterfailovers,clusterpools", "--all", "--timeout=60s"]);
      await kubectl(["delete", "-n", ns, "clusterdeployments", "--all", "--timeout=180s"]);
    }
    await sut?.stopAll();
    kube?.close();
    if (sut) expect(processesNaming(join(sut.stateDir, "clusters"))).toEqual([]);
  }, 300_000);

  // Two clusters resumed one at a time: the same two rounds as three at two at a time, one local cluster fewer.
  it("`slipway failover` resumes a pool of 2 hibernated local clusters: all Ready, processes up, RTO reported", async () => {
    const ns = sut.otherNamespaces.local!;
    namespaces.push(ns);
    await kube.create(
      clusterPoolResource,
      clusterPool("standby", ns, {
        size: 2,
        runningCount: 0,
        maxConcurrent: 2,
        template: { platform: { local: {} } },
      }) as KubeObject,
    );
    const list = async () =>
      (
        await kube.list<ClusterDeployment>(clusterDeploymentResource, {
          namespace: ns,
          labelSelector: `${POOL_LABEL}=standby`,
        })
      ).items;
    const hibernated = await eventually(
      "2 local clusters installed and hibernated",
      async () => {
        const cds = await list();
        return (
          cds.length === 2 && cds.every((cd) => cd.status?.powerState === "Hibernating" && isReady(cd)) && cds
        );
      },
      400_000,
      1_000,
    );
    const dataDir = (cd: ClusterDeployment) =>
      join(sut.stateDir, "clusters", `${ns}-${cd.metadata.name}-${cd.metadata.uid!.slice(0, 8)}`);
    for (const cd of hibernated) expect(processesNaming(dataDir(cd))).toEqual([]);

    const cli = await slipwayCli([
      "failover",
      "standby",
      "-n",
      ns,
      "--name",
      "dr",
      "--max-concurrent",
      "1",
      "--wait",
      "--timeout",
      "10m",
    ]);
    expect(cli.out).toContain(`clusterfailover ${ns}/dr created`);
    expect(cli.out).toMatch(/Succeeded {2}2\/2 Ready .* RTO \d+\.\d s/);
    expect(cli.out).not.toContain("\r");
    expect(cli.code).toBe(0);

    const failover = await kube.get<ClusterFailover>(clusterFailoverResource, ns, "dr");
    expect(failover.status).toMatchObject({ phase: "Succeeded", total: 2, ready: 2, failed: 0 });
    expect(failover.status!.rtoSeconds).toBeGreaterThan(0);
    expect(condition(failover, "Ready")).toMatchObject({ status: "True", reason: "Succeeded" });
    for (const cd of await list()) {
      expect(cd.status?.powerState).toBe("Running");
      expect(isReady(cd)).toBe(true);
      expect(cd.metadata.annotations?.[FAILOVER_ANNOTATION]).toBe("dr");
      expect(processesNaming(dataDir(cd)).length).toBeGreaterThanOrEqual(2);
    }
    console.log(`failover of 2 local clusters: RTO ${failover.status!.rtoSeconds} s`);
  }, 900_000);

  it("a failover cancelled half way leaves the resumed clusters running and the rest hibernated; a failing resume is reported", async () => {
    const ns = sut.otherNamespaces.cancel!;
    namespaces.push(ns);
    const simulated = (name: string, site: string, failures: unknown[] = []) => ({
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterDeployment",
      metadata: { name, namespace: ns, labels: { site } },
      spec: {
        clusterName: name,
        powerState: "Hibernating",
        registration: { enabled: false },
        platform: {
          simulated: {
            provisionSeconds: 0,
            hibernateSeconds: 0,
            resumeSeconds: 8,
            destroySeconds: 0,
            jitterPercent: 0,
            failures,
          },
        },
      },
    });
    for (const name of ["s1", "s2", "s3", "s4"])
      await kube.create(clusterDeploymentResource, simulated(name, "standby") as KubeObject);
    await kube.create(
      clusterDeploymentResource,
      simulated("broken", "fragile", [{ phase: "Resume", mode: "Terminal", attempts: 0 }]) as KubeObject,
    );
    await eventually(
      "5 simulated clusters hibernated",
      async () => {
        const cds = (await kube.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns })).items;
        return cds.length === 5 && cds.every((cd) => cd.status?.powerState === "Hibernating" && isReady(cd));
      },
      300_000,
      1_000,
    );

    const failover = (name: string, site: string) => ({
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterFailover",
      metadata: { name, namespace: ns },
      spec: { standby: { selector: { matchLabels: { site } } }, maxConcurrent: 2 },
    });
    await kube.create(clusterFailoverResource, failover("dr", "standby"));
    await kube.create(clusterFailoverResource, failover("dr-fragile", "fragile"));
    await eventually("two clusters resuming", async () => {
      const fo = await kube.get<ClusterFailover>(clusterFailoverResource, ns, "dr");
      return fo.status?.resuming === 2;
    });
    // The two resumes must not end before the controller has seen the cancel: on a loaded machine their 8 s could
    // pass first, and the controller then asked the other two to run. The worker is held (SIGSTOP: the Pulumi runs
    // it started cannot be recorded) until the failover says Cancelling with both still resuming.
    process.kill(worker.pid!, "SIGSTOP");
    try {
      await kube.patch(clusterFailoverResource, ns, "dr", { spec: { cancel: true } }, { type: "merge" });
      const cancelling = await eventually("failover dr Cancelling", async () => {
        const fo = await kube.get<ClusterFailover>(clusterFailoverResource, ns, "dr");
        return fo.status?.phase === "Cancelling" && fo;
      });
      expect(cancelling.status).toMatchObject({ total: 4, resuming: 2, cancelled: 2 });
    } finally {
      process.kill(worker.pid!, "SIGCONT");
    }
    const cancelled = await eventually(
      "failover dr Cancelled",
      async () => {
        const fo = await kube.get<ClusterFailover>(clusterFailoverResource, ns, "dr");
        return fo.status?.phase === "Cancelled" && fo;
      },
      240_000,
      1_000,
    );
    expect(cancelled.status).toMatchObject({ total: 4, ready: 2, cancelled: 2, failed: 0 });
    const resumed = cancelled.status!.clusters!.filter((c) => c.state === "Ready").map((c) => c.name);
    const left = cancelled.status!.clusters!.filter((c) => c.state === "Cancelled").map((c) => c.name);
    const cds = new Map(
      (await kube.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns })).items.map((cd) => [
        cd.metadata.name!,
        cd,
      ]),
    );
    for (const name of resumed) expect(cds.get(name)!.status?.powerState).toBe("Running");
    for (const name of left) {
      expect(cds.get(name)!.spec.powerState).toBe("Hibernating");
      expect(cds.get(name)!.status?.powerState).toBe("Hibernating");
    }

    const fragile = await eventually(
      "failover dr-fragile Failed",
      async () => {
        const fo = await kube.get<ClusterFailover>(clusterFailoverResource, ns, "dr-fragile");
        return fo.status?.phase === "Failed" && fo;
      },
      240_000,
      1_000,
    );
    expect(fragile.status!.clusters![0]).toMatchObject({
      name: "broken",
      state: "Failed",
      reason: "ClusterStalled",
    });
    expect(condition(fragile, "Stalled")).toMatchObject({ status: "True", reason: "Failed" });
    expect(condition(fragile, "Stalled")!.message).toContain("broken (ClusterStalled)");
  }, 600_000);
});
