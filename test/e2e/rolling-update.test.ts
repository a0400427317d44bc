import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Queue, type Job } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../src/api/index.js";
import { clusterDeploymentResource } from "../../src/api/resources.js";
import { PULUMI_QUEUE } from "../../src/queue/job.js";
import { markedProcesses, processIdentity } from "../../src/queue/process-tree.js";
import type { StackJobProgress } from "../../src/queue/stack-job.js";
import { isTrue } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { coreResources, type KubeObject } from "../../src/runtime/resource.js";
import { localClusterManifest, simulatedClusterManifest } from "../builders/cluster-deployment.js";
import { slipwayUnderTest, type ComponentProcess, type SlipwayUnderTest } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { applyIn, hubKubeConfig, kubectl, testRedisUrl } from "../harness/hub.js";

/*
 * A rolling update sends SIGTERM to a worker in the middle of its Pulumi runs, and to the leading controller.
 * The worker must exit 0, hand its runs back (checkpoint written, stack lease released, job waiting again at
 * once), leave no process and no active job; the next worker converges every cluster and creates nothing twice.
 * Each SIGTERM comes at an engine moment read from the jobs' progress, not after a sleep. Real controller,
 * worker, Redis, Pulumi CLI and local clusters.
 *
 * Slow: ten SIGTERMs, each with a worker of its own that starts six Pulumi CLIs (2-6 s to take the jobs again on
 * the 2-core machine), then three local and three simulated clusters created for real (the issue's 3 + 3) and a
 * controller hand-over.
 */

const LOCAL = ["l1", "l2", "l3"];
const SIMULATED = ["s1", "s2", "s3"];
const NAMES = [...LOCAL, ...SIMULATED];
const ALL = [...NAMES, "after"];

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseTransitions?: number };
}

type Moment = (jobs: Map<string, StackJobProgress | undefined>, cliCount: number) => boolean;

const stepOf = (p: StackJobProgress | undefined) => p?.currentStep ?? "";
/** Which clusters' jobs are at a step: the job's name is the cluster's (ClusterDeployment ns/name). */
const creating = (jobs: Map<string, StackJobProgress | undefined>, names: string[]) =>
  names.every((n) => /^creating \w+:ControlPlane/.test(stepOf(jobs.get(n))));

/** Some of these clusters' runs have the engine's summary in: what is left is reading the stack's outputs. */
const finished = (jobs: Map<string, StackJobProgress | undefined>, names: string[]) =>
  names.some((n) => jobs.get(n)?.percent === 100);

/**
 * The moments of the ten SIGTERMs, in order: before any CLI started (workspaces being prepared), in the engine's
 * start-up (every CLI running, no step yet), mid-create (control planes being created), and while a finished
 * run's outputs are read (the engine's summary is in, the job not done yet).
 */
const MOMENTS: { name: string; at: Moment }[] = [
  { name: "jobs taken, no CLI yet", at: (jobs) => jobs.size === 6 },
  { name: "engine start-up", at: (jobs, clis) => jobs.size === 6 && clis >= 6 },
  { name: "local control planes mid-create", at: (jobs) => creating(jobs, LOCAL) },
  { name: "a simulated control plane mid-create", at: (jobs) => SIMULATED.some((n) => creating(jobs, [n])) },
  { name: "engine start-up", at: (jobs, clis) => jobs.size > 0 && clis >= jobs.size },
  { name: "a simulated run's outputs being read", at: (jobs) => finished(jobs, SIMULATED) },
  { name: "mid-create", at: (jobs) => [...jobs.values()].some((p) => stepOf(p).startsWith("creating")) },
  { name: "jobs taken, no CLI yet", at: (jobs) => jobs.size > 0 },
  { name: "engine start-up", at: (jobs, clis) => jobs.size > 0 && clis >= jobs.size },
  { name: "a local run's outputs being read", at: (jobs) => finished(jobs, LOCAL) },
];

/** Live `pulumi up|destroy|refresh` CLIs started by the worker with this owner identity. */
function operationClis(owner: string): number {
  return markedProcesses({ owner }).filter((p) => /\/pulumi (up|destroy|refresh)$/.test(p.command)).length;
}

/** Lock files left in the file backend (a CLI that ended without releasing its stack's lock). */
function pulumiLocks(stateDir: string): string[] {
  const dir = join(stateDir, "pulumi", ".pulumi", "locks");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
}

/**
 * The stack's `update` runs (from its history) with what each created, and the resources its state holds now. A
 * resource created twice (a create redone after a lost checkpoint) makes the creates outnumber the resources.
 */
function createsAndResources(
  stateDir: string,
  stack: string,
): { updates: string[]; creates: number; resources: number } {
  const root = join(stateDir, "pulumi", ".pulumi");
  const historyDir = join(root, "history", "slipway", stack);
  const updates: string[] = [];
  let creates = 0;
  for (const file of readdirSync(historyDir)
    .filter((f) => f.endsWith(".history.json"))
    .sort()) {
    const entry = JSON.parse(readFileSync(join(historyDir, file), "utf8")) as {
      kind: string;
      result: string;
      resourceChanges?: Record<string, number>;
    };
    if (entry.kind !== "update") continue;
    creates += entry.resourceChanges?.create ?? 0;
    updates.push(`${entry.result} +${entry.resourceChanges?.create ?? 0}`);
  }
  const state = JSON.parse(readFileSync(join(root, "stacks", "slipway", `${stack}.json`), "utf8")) as {
    checkpoint: { latest: { resources?: unknown[] } };
  };
  return { updates, creates, resources: state.checkpoint.latest.resources?.length ?? 0 };
}

describe("rolling update: SIGTERM to a worker mid-run and to the leading controller", () => {
  let sut: SlipwayUnderTest;
  let redis: Redis;
  let queue: Queue;
  let leader: ComponentProcess;
  const client = new KubeClient(hubKubeConfig());
  const get = (name: string) => client.get<ClusterDeployment>(clusterDeploymentResource, sut.namespace, name);

  beforeAll(async () => {
    sut = await slipwayUnderTest("rolling", {
      SLIPWAY_WORKER_CONCURRENCY: "6",
      SLIPWAY_LEASE_DURATION_SECONDS: "15",
    });
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    queue = new Queue(PULUMI_QUEUE, { connection: redis, prefix: sut.env.SLIPWAY_QUEUE_PREFIX! });
  });

  afterAll(async () => {
    // Deleting while a controller and a worker run leaves no local cluster behind.
    await Promise.all(
      ALL.map((n) =>
        kubectl(["delete", "-n", sut.namespace, `cd/${n}`, "--wait=false", "--ignore-not-found"]),
      ),
    );
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const left = await Promise.all(
        ALL.map((n) => client.getIfExists(clusterDeploymentResource, sut.namespace, n)),
      );
      if (left.every((o) => !o)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await sut.stopAll();
    await queue.close();
    redis.disconnect();
  });

  /** The active jobs' progress by cluster name. */
  async function activeJobs(): Promise<Map<string, StackJobProgress | undefined>> {
    const jobs = (await queue.getJobs(["active"])) as Job[];
    return new Map(
      jobs
        .filter(Boolean)
        .map((j) => [(j.data as { name: string }).name, j.progress as StackJobProgress | undefined]),
    );
  }

  it(
    "a worker SIGTERMed at ten engine moments exits 0 and hands every run back; the next one converges all, creating nothing twice",
    { timeout: 400_000 },
    async () => {
      const ns = sut.namespace;
      leader = sut.controller({ SLIPWAY_IDENTITY: "leader" });
      for (const n of LOCAL) await applyIn(ns, localClusterManifest(n));
      for (const n of SIMULATED) await applyIn(ns, simulatedClusterManifest(n, { provisionSeconds: 3 }));

      await eventually(
        "six jobs queued",
        async () => (await queue.getJobCounts("waiting")).waiting === 6,
        60_000,
      );
      const figures: string[] = [];
      let worker: ComponentProcess | undefined;
      for (const [round, moment] of MOMENTS.entries()) {
        const handedBack = (await queue.getJobs(["waiting", "prioritized", "delayed"])).map((j) => j.id!);
        worker = sut.worker();
        const startedAt = Date.now();
        const owner = await eventually("the worker's identity", () =>
          worker!.pid ? processIdentity(worker!.pid) : undefined,
        );
        // Handed-back work is taken at once: every waiting job is active within seconds.
        await eventually(
          `round ${round + 1}: the new worker took the ${handedBack.length} waiting jobs`,
          async () => {
            const states = await Promise.all(handedBack.map((id) => queue.getJobState(id)));
            return states.every((s) => s === "active" || s === "completed");
          },
          30_000,
          50,
        );
        const takenMs = Date.now() - startedAt;
        await eventually(
          `round ${round + 1}: ${moment.name}`,
          async () => moment.at(await activeJobs(), operationClis(owner)),
          60_000,
          50,
        );
        const signalledAt = Date.now();
        await worker.stop("SIGTERM");
        const exitMs = Date.now() - signalledAt;
        const log = worker.log();

        expect(worker.exitStatus, `round ${round + 1} (${moment.name}): the worker's log:\n${log}`).toEqual({
          code: 0,
          signal: null,
        });
        expect(log).not.toMatch(/unhandled rejection|uncaught exception/i);
        // Nothing of its runs is left: no CLI, no plugin (a local cluster's own processes are detached on purpose).
        expect(markedProcesses({ owner }), `round ${round + 1}: processes of the stopped worker`).toEqual([]);
        // Each CLI took Pulumi's cancel and released its stack's lock (none had to be killed).
        expect(pulumiLocks(sut.stateDir), `round ${round + 1}: Pulumi locks left`).toEqual([]);
        const leases = await redis.keys(`${sut.env.SLIPWAY_QUEUE_PREFIX}:stack-lease:*`);
        expect(
          leases.filter((k) => !k.endsWith(":vacant")),
          `round ${round + 1}: stack leases held`,
        ).toEqual([]);
        const counts = await queue.getJobCounts("active", "delayed", "failed");
        expect(counts, `round ${round + 1}: jobs`).toEqual({ active: 0, delayed: 0, failed: 0 });
        figures.push(
          `${round + 1}. ${moment.name}: ${handedBack.length} taken in ${takenMs} ms, exit 0 in ${exitMs} ms`,
        );
      }

      // The last worker stays: every cluster converges, and no stack's resources were created twice.
      const last = sut.worker();
      const lastAt = Date.now();
      await eventually(
        "every cluster Ready",
        async () => (await Promise.all(NAMES.map(get))).every((cd) => isTrue(cd.status?.conditions, "Ready")),
        180_000,
        250,
      );
      figures.push(`then all 6 Ready ${Date.now() - lastAt} ms after the last worker started`);
      for (const name of NAMES) {
        const cd = await get(name);
        const stack = `${ns}-${name}-${cd.metadata.uid!.slice(0, 8)}`;
        const { updates, creates, resources } = createsAndResources(sut.stateDir, stack);
        figures.push(`${name}: updates ${updates.join(", ")}; ${resources} resources`);
        expect(
          creates,
          `${name}: resources created over the updates ${updates.join(", ")}`,
        ).toBeLessThanOrEqual(resources);
      }
      console.log(`rolling update, worker:\n  ${figures.join("\n  ")}`);
      // Interrupted runs used no attempt: the one counted is the run that finished.
      const jobs = (await queue.getJobs(["completed"])) as Job[];
      expect(jobs.map((j) => j.attemptsMade)).toEqual(NAMES.map(() => 1));
      expect(last.log()).not.toMatch(/unhandled rejection/i);
    },
  );

  it(
    "the leading controller SIGTERMed releases its Lease: the standby leads within seconds and reconciles",
    { timeout: 120_000 },
    async () => {
      const lease = () =>
        client.get<Lease>(coreResources.leases, "slipway-system", sut.env.SLIPWAY_LEASE_NAME!);
      const standby = sut.controller({ SLIPWAY_IDENTITY: "standby" });
      await eventually("the standby started", () => standby.log().includes('"Controller started"'), 30_000);
      const before = await lease();
      expect(before.spec?.holderIdentity).toBe("leader");

      const signalledAt = Date.now();
      const exited = leader.stop("SIGTERM").then(() => Date.now() - signalledAt);
      await eventually(
        "the standby holds the Lease",
        async () => (await lease()).spec?.holderIdentity === "standby",
        30_000,
        50,
      );
      const takeoverMs = Date.now() - signalledAt;
      const exitMs = await exited;
      expect(leader.exitStatus, `the leader's log:\n${leader.log()}`).toEqual({ code: 0, signal: null });
      expect(leader.log()).toContain("Released the lease");
      // Released, not expired: the standby's next try (every 2 s) wins, well within the 15 s lease duration.
      expect(takeoverMs).toBeLessThan(10_000);
      expect((await lease()).spec?.leaseTransitions).toBe((before.spec?.leaseTransitions ?? 0) + 1);

      await applyIn(sut.namespace, simulatedClusterManifest("after", { provisionSeconds: 0 }));
      await eventually(
        "after Ready, reconciled by the new leader",
        async () => isTrue((await get("after")).status?.conditions, "Ready"),
        60_000,
      );
      console.log(
        `rolling update, controller: exit 0 in ${exitMs} ms, the standby led ${takeoverMs} ms after SIGTERM`,
      );
    },
  );
});
