import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PULUMI_QUEUE } from "../../../src/queue/job.js";
import { JobQueue } from "../../../src/queue/job-queue.js";
import { JobWorker } from "../../../src/queue/job-worker.js";
import { endOrphans } from "../../../src/queue/process-tree.js";
import { PulumiRunner } from "../../../src/queue/pulumi-runner.js";
import type { StackJobData, StackJobResult } from "../../../src/queue/stack-job.js";
import { StackLeases } from "../../../src/queue/stack-lease.js";
import { runStackJob } from "../../../src/queue/stack-run.js";
import { distDir, toolsBinDir } from "../../../src/runtime/paths.js";
import { testRedisUrl } from "../../harness/hub.js";
import { checkpointHasPendingCreate, spawnOnOtherHost } from "../../harness/other-host.js";

/*
 * Redis is a cache, also with many workers. Worker A, on another host (its own UTS namespace), runs the `up`
 * that creates a simulated cluster; Redis loses everything mid-create (all their keys: the job, its BullMQ lock, A's
 * stack lease); the controller queues the job again, as it does for a job missing from Redis, and worker B takes
 * it. B must wait for A's live run (A re-asserts its lease), never clear A's lock and never create the cluster a
 * second time; once A is done, B's run finds the stack converged.
 */
describe("Redis flushed mid-up with two workers sharing the backend", () => {
  let stateDir: string;
  let redis: Redis;
  let other: ChildProcess | undefined;
  const prefix = `flush-${randomBytes(4).toString("hex")}`;
  const passphrase = "redis-flush-test-passphrase";
  // Long enough for a loaded 2-core machine to renew it in time while Pulumi runs in the worker's event loop.
  const leaseTtlMs = 9_000;
  const stackName = "team-a-flushed-1-0f1e2d3c";
  const inputs = {
    clusterName: "flushed-1",
    powerState: "Running",
    platform: { provisionSeconds: 15, jitterPercent: 0 },
  };
  const job: StackJobData = {
    type: "flush-test-stack",
    kind: "FlushTest",
    namespace: "team-a",
    name: "flushed-1",
    uid: "0f1e2d3c-flush",
    generation: 1,
    operation: "up",
  };
  const timings = { lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 2 };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "slipway-redis-flush-"));
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    if (other?.pid && other.exitCode === null && other.signalCode === null)
      process.kill(-other.pid, "SIGKILL");
    redis.disconnect();
    // A killed worker's Pulumi plugins (the dynamic provider) lead their own process group: end them too.
    await endOrphans(stateDir);
    await rm(stateDir, { recursive: true, force: true });
  });

  /** Worker A: the compiled JobWorker, runner and leases in a process whose host name is worker-elsewhere. */
  async function startWorkerElsewhere(): Promise<{ output: () => string }> {
    const script = join(stateDir, "worker-a.mjs");
    const url = (file: string) => JSON.stringify(pathToFileURL(join(distDir, "src", "queue", file)).href);
    await writeFile(
      script,
      `import { JobWorker } from ${url("job-worker.js")};
import { PulumiRunner } from ${url("pulumi-runner.js")};
import { StackLeases } from ${url("stack-lease.js")};
import { runStackJob } from ${url("stack-run.js")};
import { redisConnection } from ${url("redis.js")};
const redis = redisConnection(${JSON.stringify(testRedisUrl())});
const leases = new StackLeases({ redis, prefix: ${JSON.stringify(prefix)}, ttlMs: ${leaseTtlMs} });
const runner = new PulumiRunner({ ...${JSON.stringify({ toolsBinDir, stateDir, passphrase })}, leases });
const worker = new JobWorker({ queue: "pulumi", redisUrl: ${JSON.stringify(testRedisUrl())},
  prefix: ${JSON.stringify(prefix)}, concurrency: 1, ...${JSON.stringify(timings)} });
worker.worker.on("error", () => undefined); // its job vanished with the flush: BullMQ cannot renew or finish it
worker.handle(${JSON.stringify(job.type)}, async (job) => {
  try {
    const result = await runStackJob(runner, job, { platform: "simulated", stackName: ${JSON.stringify(stackName)},
      operation: "up", inputs: ${JSON.stringify(inputs)} });
    console.log("RESULT " + JSON.stringify({ changes: result.changes, infraID: result.outputs.infraID }));
    return result.changes;
  } catch (err) {
    console.log("FAILED " + err.message);
    throw err;
  }
});
void worker.run();
`,
    );
    const { child, output } = spawnOnOtherHost(script);
    other = child;
    return { output };
  }

  /** Every update the backend recorded for the stack, oldest first, with its resource changes. */
  function history(): { kind: string; result: string; resourceChanges?: Record<string, number> }[] {
    const dir = join(stateDir, "pulumi", ".pulumi", "history", "slipway", stackName);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith(".history.json"))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as ReturnType<typeof history>[number]);
  }

  it(
    "the second worker waits for the live run, never clears its lock, and the cluster is created once",
    { timeout: 240_000 },
    async () => {
      const queue = new JobQueue<StackJobData, Record<string, number>>({
        name: PULUMI_QUEUE,
        redisUrl: testRedisUrl(),
        prefix,
        attempts: 5,
        backoffMs: 1_000,
      });
      const a = await startWorkerElsewhere();
      const id = await queue.enqueue(job);
      await expect
        .poll(() => checkpointHasPendingCreate(stateDir, stackName), { timeout: 120_000, interval: 200 })
        .toBe(true);
      expect((await queue.lookup(id)).state).toBe("active");

      // Worker B, on this host, with its own runner on the same backend.
      const leases = new StackLeases({
        redis: new Redis(testRedisUrl(), { maxRetriesPerRequest: null }),
        prefix,
        ttlMs: leaseTtlMs,
      });
      const runner = new PulumiRunner({ toolsBinDir, stateDir, passphrase, leases });
      const ranByB: StackJobResult[] = [];
      const b = new JobWorker({
        queue: PULUMI_QUEUE,
        redisUrl: testRedisUrl(),
        prefix,
        concurrency: 1,
        ...timings,
      });
      b.handle(job.type, async (context) => {
        const result = await runStackJob(runner, context, {
          platform: "simulated",
          stackName,
          operation: "up",
          inputs,
        });
        ranByB.push({ changes: result.changes, infraID: result.outputs.infraID } as never);
        return result.changes;
      });
      void b.run();
      // B is connected and waiting for work before Redis loses everything, so it is the idle worker that takes
      // the re-queued job while A is still busy with its run.
      await b.worker.waitUntilReady();

      // Redis loses everything mid-create; the controller finds the job missing and queues it again. Everything of
      // these workers is under their prefix (jobs, locks, stack leases): deleting it is a FLUSHALL for them, and
      // leaves alone the other test files that share this Redis and may run beside this one.
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis.del(...keys);
      expect((await queue.lookup(id)).state).toBe("missing");
      await queue.enqueue(job);

      // A's run goes on to its end, untouched; B's run of the same job then finds nothing left to do.
      await expect.poll(() => a.output(), { timeout: 120_000, interval: 500 }).toMatch(/RESULT|FAILED/);
      const runsOfA = () =>
        [...a.output().matchAll(/RESULT (.*)/g)].map((m) => JSON.parse(m[1]!) as StackJobResult);
      expect(runsOfA(), a.output()).not.toHaveLength(0);
      const ranByA = runsOfA()[0] as unknown as { changes: Record<string, number>; infraID: string };
      expect(ranByA.changes).toEqual({ create: 3 });
      await expect
        .poll(async () => (await queue.lookup(id)).state, { timeout: 120_000, interval: 500 })
        .toBe("completed");
      expect((await queue.lookup(id)).result).toEqual({ same: 3 });
      // The re-queued job ran once (by B, the idle worker, unless A freed up first and took it) and found the
      // stack converged.
      expect([...runsOfA().slice(1), ...ranByB], a.output()).toEqual([
        { changes: { same: 3 }, infraID: ranByA.infraID },
      ]);

      // Exactly one create in the stack's whole history, and no lock left behind.
      const creates = history().filter((u) => (u.resourceChanges?.create ?? 0) > 0);
      expect(creates, JSON.stringify(history())).toHaveLength(1);
      expect(await runner.stackLocks(stackName)).toEqual([]);

      await b.close();
      process.kill(-other!.pid!, "SIGTERM");
      await runner.run({ platform: "simulated", stackName, operation: "destroy", inputs, jobId: "cleanup" });
      expect(await runner.listStacks()).toEqual([]);
      await queue.close();
    },
  );
});
