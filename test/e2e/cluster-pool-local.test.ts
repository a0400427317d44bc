import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterClaim, ClusterDeployment, ClusterPool } from "../../src/api/index.js";
import { kubectl as kubectlAt } from "../../src/local/kubectl.js";
import { POOL_LABEL, TEMPLATE_HASH_ANNOTATION } from "../../src/pools/index.js";
import {
  clusterClaimResource,
  clusterDeploymentResource,
  clusterPoolResource,
  secretResource,
} from "../../src/api/resources.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { toolsBinDir } from "../../src/runtime/paths.js";
import type { KubeObject } from "../../src/runtime/resource.js";
import { clusterClaim } from "../builders/cluster-claim.js";
import { clusterPool } from "../builders/cluster-pool.js";
import { processesNaming, slipwayUnderTest, type SlipwayUnderTest } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { hubKubeConfig, kubectl } from "../harness/hub.js";

/*
 * A ClusterPool of real local clusters, end to end: filled, claimed, refilled, a claim's cluster destroyed, stale
 * clusters replaced one at a time, never more than maxConcurrent in flight.
 *
 * Slow: every step starts, hibernates or destroys real control planes (about 10 s each, one at a time under
 * maxConcurrent), and the template change replaces both unclaimed clusters in turn; about 130-160 s.
 */

type Conditioned = {
  status?: {
    conditions?: {
      type: string;
      status: string;
      reason: string;
      message: string;
      observedGeneration?: number;
    }[];
  };
};
const condition = (object: Conditioned | undefined, type: string) =>
  object?.status?.conditions?.find((c) => c.type === type);
const isReady = (object: Conditioned) => condition(object, "Ready")?.status === "True";

/**
 * Provisions + deprovisions in flight, as the pool algorithm counts them (src/pools/algorithm/budget.ts):
 * clusters being deleted, plus unclaimed clusters whose install has not finished and that are not Stalled.
 */
function inFlight(cds: ClusterDeployment[]): { provisions: number; deprovisions: number } {
  const deprovisions = cds.filter((cd) => cd.metadata.deletionTimestamp).length;
  const provisions = cds.filter(
    (cd) =>
      !cd.metadata.deletionTimestamp &&
      !cd.spec.clusterPoolRef?.claimName &&
      !cd.status?.provisionedAt &&
      condition(cd, "Stalled")?.status !== "True",
  ).length;
  return { provisions, deprovisions };
}

/**
 * Lists the pool's ClusterDeployments every 200 ms while the test runs and keeps the highest number of
 * provisions + deprovisions in flight it saw, and the most stale clusters being deleted at once.
 */
class InFlightSampler {
  max = 0;
  maxStaleDeleting = 0;
  samples = 0;
  /** Every cluster seen being deleted: its template hash and deletionTimestamp. */
  readonly deletions = new Map<string, { templateHash?: string; deletedAt: string }>();
  private stopped = false;
  private loop?: Promise<void>;
  private readonly timeline: string[] = [];

  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
    private readonly pool: string,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.sample();
        } catch {
          // A failed list (hub busy) is a missed sample, not a test failure.
        }
        await sleep(200);
      }
    })();
  }

  private async sample(): Promise<void> {
    const [cds, pool] = await Promise.all([
      this.kube.list<ClusterDeployment>(clusterDeploymentResource, {
        namespace: this.namespace,
        labelSelector: `${POOL_LABEL}=${this.pool}`,
      }),
      this.kube.getIfExists<ClusterPool>(clusterPoolResource, this.namespace, this.pool),
    ]);
    const { provisions, deprovisions } = inFlight(cds.items);
    const total = provisions + deprovisions;
    this.samples += 1;
    if (total > this.max)
      this.timeline.push(`${new Date().toISOString()} in flight ${provisions}+${deprovisions}`);
    this.max = Math.max(this.max, total);
    for (const cd of cds.items) {
      if (cd.metadata.deletionTimestamp && !this.deletions.has(cd.metadata.name!)) {
        this.deletions.set(cd.metadata.name!, {
          templateHash: cd.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION],
          deletedAt: cd.metadata.deletionTimestamp,
        });
      }
    }
    const hash = pool?.status?.templateHash;
    if (hash) {
      const staleDeleting = cds.items.filter(
        (cd) => cd.metadata.deletionTimestamp && cd.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION] !== hash,
      ).length;
      this.maxStaleDeleting = Math.max(this.maxStaleDeleting, staleDeleting);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  describe(): string {
    return `max ${this.max} over ${this.samples} samples: ${this.timeline.join("; ")}`;
  }
}

describe("ClusterPool and ClusterClaim on the local platform, end to end", () => {
  const poolName = "dev";
  const maxConcurrent = 2;
  const timings: Record<string, string> = {};
  let sut: SlipwayUnderTest;
  let kube: KubeClient;
  let ns: string;
  let badInputNs: string | undefined;
  let sampler: InFlightSampler;
  let claimedCluster: ClusterDeployment | undefined;

  const poolClusters = async () =>
    (
      await kube.list<ClusterDeployment>(clusterDeploymentResource, {
        namespace: ns,
        labelSelector: `${POOL_LABEL}=${poolName}`,
      })
    ).items;
  const unclaimed = (cds: ClusterDeployment[]) =>
    cds.filter((cd) => !cd.spec.clusterPoolRef?.claimName && !cd.metadata.deletionTimestamp);
  const getPool = () => kube.get<ClusterPool>(clusterPoolResource, ns, poolName);
  /** Where the local platform keeps a cluster's etcd data, certificates and process command lines. */
  const clusterDataDir = (cd: ClusterDeployment) =>
    join(
      sut.stateDir,
      "clusters",
      `${cd.metadata.namespace}-${cd.metadata.name}-${cd.metadata.uid!.slice(0, 8)}`,
    );
  const since = (start: number) => `${((Date.now() - start) / 1000).toFixed(1)} s`;

  /** Both unclaimed clusters installed and Ready, one Running and one Hibernating, the pool Ready. */
  const poolSettled = async () => {
    const cds = unclaimed(await poolClusters());
    if (cds.length !== 2 || !cds.every(isReady)) return undefined;
    const states = cds.map((cd) => cd.status?.powerState).sort();
    if (states.join() !== "Hibernating,Running") return undefined;
    if (cds.some((cd) => cd.spec.powerState !== cd.status?.powerState)) return undefined;
    const pool = await getPool();
    return isReady(pool) && pool.status?.ready === 1 && pool.status?.standby === 1
      ? { cds, pool }
      : undefined;
  };

  beforeAll(async () => {
    sut = await slipwayUnderTest(
      "e2e-pool",
      { SLIPWAY_LEADER_ELECTION: "false" },
      { otherNamespaces: ["bad-input"] },
    );
    sut.controller();
    sut.worker();
    kube = new KubeClient(hubKubeConfig());
    ns = sut.namespace;
    sampler = new InFlightSampler(kube, ns, poolName);
    sampler.start();
  });

  afterAll(async () => {
    await sampler?.stop();
    // Pools first (they delete their unclaimed clusters), then what is left; the worker must run until the
    // local clusters are destroyed so no etcd or kube-apiserver outlives the test.
    for (const namespace of [ns, badInputNs].filter((n): n is string => Boolean(n))) {
      await kubectl(["delete", "-n", namespace, "clusterclaims,clusterpools", "--all", "--timeout=60s"]);
      await kubectl(["delete", "-n", namespace, "clusterdeployments", "--all", "--timeout=120s"]);
    }
    await sut?.stopAll();
    kube?.close();
    console.log(`cluster-pool-local timings: ${JSON.stringify(timings)}; in flight ${sampler?.describe()}`);
    if (sut) expect(processesNaming(join(sut.stateDir, "clusters"))).toEqual([]);
  }, 240_000);

  it("fills the pool: one cluster Running, one Hibernating", async () => {
    const start = Date.now();
    await kube.create(
      clusterPoolResource,
      clusterPool(poolName, ns, {
        size: 2,
        runningCount: 1,
        maxConcurrent,
        labels: { team: "platform" },
        template: { platform: { local: {} } },
      }) as KubeObject,
    );
    const { cds, pool } = await eventually(
      "pool of one Running and one Hibernating cluster",
      poolSettled,
      150_000,
    );
    timings.poolFill = since(start);
    expect(pool.status).toMatchObject({ size: 2, ready: 1, standby: 1, installing: 0, claimed: 0 });
    expect(condition(pool, "AllClustersCurrent")?.status).toBe("True");
    for (const cd of cds) {
      expect(cd.metadata.labels).toMatchObject({ [POOL_LABEL]: poolName, team: "platform" });
      expect(cd.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION]).toBe(pool.status?.templateHash);
      expect(cd.status?.provisionedAt).toBeTruthy();
    }
    const running = cds.find((cd) => cd.status?.powerState === "Running")!;
    const hibernating = cds.find((cd) => cd.status?.powerState === "Hibernating")!;
    expect(processesNaming(clusterDataDir(running)).length).toBeGreaterThanOrEqual(2);
    expect(processesNaming(clusterDataDir(hibernating))).toEqual([]);
  }, 180_000);

  it("binds a claim to the running cluster with a kubeconfig kubectl can use, readable by its subjects", async () => {
    const runningBefore = unclaimed(await poolClusters()).find((cd) => cd.status?.powerState === "Running")!;
    const start = Date.now();
    await kube.create(
      clusterClaimResource,
      clusterClaim("alice", ns, poolName, {
        subjects: [{ kind: "User", name: "alice@example.com" }],
      }) as KubeObject,
    );
    const kubeconfigFile = join(sut.stateDir, "alice.kubeconfig");
    const namespaces = await eventually(
      "the claim's kubeconfig serving kubectl",
      async () => {
        const secret = await kube.getIfExists<{ data?: Record<string, string> } & KubeObject>(
          secretResource,
          ns,
          "alice-kubeconfig",
        );
        if (!secret?.data?.kubeconfig) return undefined;
        await writeFile(kubeconfigFile, Buffer.from(secret.data.kubeconfig, "base64"), { mode: 0o600 });
        const r = await kubectlAt(toolsBinDir, kubeconfigFile, ["--request-timeout=5s", "get", "ns"]);
        return r.code === 0 ? r.stdout : undefined;
      },
      60_000,
      100,
    );
    timings.claimToKubeconfigUsable = since(start);
    expect(namespaces).toMatch(/\bkube-system\b/);
    expect(namespaces).toMatch(/\bdefault\b/);

    const claim = await eventually(
      "claim Ready",
      async () => {
        const c = await kube.get<ClusterClaim>(clusterClaimResource, ns, "alice");
        return isReady(c) ? c : undefined;
      },
      30_000,
    );
    expect(claim.status?.clusterDeploymentRef).toEqual({ namespace: ns, name: runningBefore.metadata.name });
    expect(claim.status?.kubeconfigSecretRef).toEqual({ name: "alice-kubeconfig" });
    expect(condition(claim, "Pending")).toMatchObject({ status: "False", reason: "ClusterAssigned" });
    expect(condition(claim, "ClusterRunning")).toMatchObject({ status: "True", reason: "Running" });
    claimedCluster = await kube.get<ClusterDeployment>(
      clusterDeploymentResource,
      ns,
      runningBefore.metadata.name!,
    );
    expect(claimedCluster.spec.clusterPoolRef?.claimName).toBe("alice");

    const canI = (as: string) =>
      kubectl(["auth", "can-i", "get", "secret/alice-kubeconfig", "-n", ns, `--as=${as}`]);
    expect((await canI("alice@example.com")).stdout.trim()).toBe("yes");
    expect((await canI("mallory@example.com")).stdout.trim()).toBe("no");

    // The assignment changed the cluster's spec (clusterPoolRef), a generation the stack program does not see:
    // it is observed without a new job and leaves the claimant's cluster and kubeconfig as they were.
    const applied = await eventually(
      "the claimed cluster's new generation applied",
      async () => {
        const cd = await kube.get<ClusterDeployment>(
          clusterDeploymentResource,
          ns,
          runningBefore.metadata.name!,
        );
        return cd.status?.observedGeneration === cd.metadata.generation && isReady(cd) ? cd : undefined;
      },
      60_000,
    );
    expect(applied.status?.stack?.jobId).toBe(runningBefore.status?.stack?.jobId);
    expect(applied.status?.apiURL).toBe(runningBefore.status?.apiURL);
    expect(applied.status?.powerState).toBe("Running");
    const after = await kubectlAt(toolsBinDir, kubeconfigFile, [
      "--request-timeout=5s",
      "get",
      "ns",
      "default",
    ]);
    expect(after.code, after.stderr).toBe(0);
  }, 120_000);

  it("refills to two unclaimed clusters next to the claimed one", async () => {
    const start = Date.now();
    const { pool } = await eventually("pool refilled", poolSettled, 120_000);
    timings.refill = since(start);
    expect(pool.status).toMatchObject({ size: 2, ready: 1, standby: 1, claimed: 1 });
    const cds = await poolClusters();
    expect(cds).toHaveLength(3);
    expect(
      cds.filter((cd) => cd.spec.clusterPoolRef?.claimName === "alice").map((cd) => cd.metadata.name),
    ).toEqual([claimedCluster!.metadata.name]);
  }, 150_000);

  it("destroys the cluster of a deleted claim and keeps two unclaimed clusters", async () => {
    const cd = claimedCluster!;
    const dataDir = clusterDataDir(cd);
    expect(processesNaming(dataDir).length).toBeGreaterThanOrEqual(2);
    const start = Date.now();
    await kube.delete(clusterClaimResource, ns, "alice");
    await eventually(
      "the claimed cluster destroyed",
      async () => !(await kube.getIfExists(clusterDeploymentResource, ns, cd.metadata.name!)),
      90_000,
    );
    timings.claimDeletedToClusterGone = since(start);
    expect(processesNaming(dataDir)).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
    await eventually(
      "claim's Secret garbage collected",
      async () => !(await kube.getIfExists(secretResource, ns, "alice-kubeconfig")),
      30_000,
    );
    // The two unclaimed clusters settled before the claim went: wait for the pool's pass that saw the claimed one
    // go too (claimed 0), not for a status written before it.
    const { pool } = await eventually(
      "pool back to two, none claimed",
      async () => {
        const settled = await poolSettled();
        return settled?.pool.status?.claimed === 0 ? settled : undefined;
      },
      60_000,
    );
    expect(pool.status).toMatchObject({ size: 2, ready: 1, standby: 1, claimed: 0 });
    expect(await poolClusters()).toHaveLength(2);
  }, 180_000);

  it("replaces stale clusters one at a time after a template change", async () => {
    const before = await poolClusters();
    const start = Date.now();
    await kube.patch(
      clusterPoolResource,
      ns,
      poolName,
      { spec: { template: { platform: { local: { region: "site-b" } } } } },
      { type: "merge" },
    );
    const newHash = await eventually(
      "the pool reports the new template hash",
      async () => {
        const hash = (await getPool()).status?.templateHash;
        return hash && hash !== before[0]!.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION]
          ? hash
          : undefined;
      },
      30_000,
    );
    const { cds, pool } = await eventually(
      "both clusters rebuilt from the new template",
      async () => {
        const settled = await poolSettled();
        if (!settled) return undefined;
        const current = settled.cds.every(
          (cd) => cd.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION] === newHash,
        );
        return current && (await poolClusters()).length === 2 ? settled : undefined;
      },
      240_000,
    );
    timings.templateRoll = since(start);
    expect(condition(pool, "AllClustersCurrent")?.status).toBe("True");
    expect(cds.map((cd) => cd.metadata.name)).not.toEqual(expect.arrayContaining([before[0]!.metadata.name]));
    for (const cd of cds) expect(cd.spec.platform.local?.region).toBe("site-b");
    for (const old of before) expect(processesNaming(clusterDataDir(old))).toEqual([]);
    expect(sampler.maxStaleDeleting).toBe(1);
    // One at a time: the second stale cluster is deleted only once the first one's replacement is installed.
    const staleDeletions = before
      .map((old) => sampler.deletions.get(old.metadata.name!)?.deletedAt)
      .filter((at): at is string => Boolean(at))
      .sort();
    expect(staleDeletions).toHaveLength(2);
    const firstReplacementInstalled = cds.map((cd) => cd.status!.provisionedAt!).sort()[0]!;
    // deletionTimestamp has whole seconds, provisionedAt milliseconds.
    const wholeSeconds = (at: string) => Math.floor(new Date(at).getTime() / 1000);
    expect(wholeSeconds(firstReplacementInstalled)).toBeLessThanOrEqual(wholeSeconds(staleDeletions[1]!));
  }, 270_000);

  it("never had more than maxConcurrent provisions + deprovisions in flight", async () => {
    await sampler.stop();
    timings.maxInFlight = String(sampler.max);
    expect(sampler.max, sampler.describe()).toBeGreaterThan(0);
    expect(sampler.max, sampler.describe()).toBeLessThanOrEqual(maxConcurrent);
  });

  it("keeps a claim on a missing pool Pending, naming the pool, and binds it once the pool exists", async () => {
    badInputNs = sut.otherNamespaces["bad-input"]!;
    const namespace = badInputNs;
    await kube.create(clusterClaimResource, clusterClaim("early", namespace, "later") as KubeObject);
    const getClaim = () => kube.get<ClusterClaim>(clusterClaimResource, namespace, "early");
    const pending = await eventually(
      "claim Pending on a missing pool",
      async () => {
        const c = await getClaim();
        return condition(c, "Pending")?.status === "True" ? condition(c, "Pending") : undefined;
      },
      30_000,
    );
    expect(pending.reason).toBe("PoolNotFound");
    expect(pending.message).toContain("later");
    // A later pass (here for a new generation) still finds no pool and keeps the claim Pending.
    await kube.patch(
      clusterClaimResource,
      namespace,
      "early",
      { spec: { subjects: [{ kind: "User", name: "early@example.com" }] } },
      { type: "merge" },
    );
    const later = await eventually(
      "the claim's pass for generation 2",
      async () => {
        const c = condition(await getClaim(), "Pending");
        return c?.observedGeneration === 2 ? c : undefined;
      },
      30_000,
    );
    expect(later).toMatchObject({ status: "True", reason: "PoolNotFound" });

    await kube.create(
      clusterPoolResource,
      clusterPool("later", namespace, {
        size: 1,
        runningCount: 1,
        template: {
          platform: {
            simulated: {
              provisionSeconds: 0,
              hibernateSeconds: 0,
              resumeSeconds: 0,
              destroySeconds: 0,
              jitterPercent: 0,
            },
          },
        },
      }) as KubeObject,
    );
    const bound = await eventually(
      "claim bound once the pool exists",
      async () => {
        const c = await getClaim();
        return isReady(c) ? c : undefined;
      },
      60_000,
    );
    expect(condition(bound, "Pending")).toMatchObject({ status: "False", reason: "ClusterAssigned" });
    expect(condition(bound, "ClusterRunning")).toMatchObject({ status: "True", reason: "Running" });
    expect(bound.status?.kubeconfigSecretRef).toEqual({ name: "early-kubeconfig" });
  }, 90_000);
});
