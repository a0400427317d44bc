import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { JobDeferredError, StackOwnerUnknownError } from "../../../src/errors/index.js";
import { PULUMI_QUEUE, type JobData } from "../../../src/queue/job.js";
import { JobQueue } from "../../../src/queue/job-queue.js";
import { JobWorker } from "../../../src/queue/job-worker.js";
import { StackLeases } from "../../../src/queue/stack-lease.js";
import { testRedisUrl } from "../../harness/hub.js";
import { jobEnded, jobIn } from "../../harness/jobs.js";

/*
 * What a worker that stops hands to the next one, on the real Redis: the job waiting again at once (not delayed,
 * no attempt used), and the stack's lease free, with the lock its ended CLI left clearable without waiting a ttl.
 */
describe("a stopping worker's hand-back", () => {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(() => redis.disconnect());
  const newPrefix = () => `hb-${randomBytes(4).toString("hex")}`;

  function workerOn(prefix: string): JobWorker {
    return new JobWorker({
      queue: PULUMI_QUEUE,
      redisUrl: testRedisUrl(),
      prefix,
      concurrency: 1,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      maxStalledCount: 1,
    });
  }

  it("a job handed back without a wait is waiting again at once and taken by the next worker", async () => {
    const prefix = newPrefix();
    const queue = new JobQueue({
      name: PULUMI_QUEUE,
      redisUrl: testRedisUrl(),
      prefix,
      attempts: 3,
      backoffMs: 60_000,
    });
    cleanups.push(() => queue.close());
    let release!: () => void;
    const stopping = new Promise<void>((r) => (release = r));
    const first = workerOn(prefix).handle("widget-stack", async () => {
      await stopping;
      throw new JobDeferredError("WorkerStopping", "the worker stopped", 0);
    });
    void first.run();
    const data: JobData = {
      type: "widget-stack",
      kind: "Widget",
      namespace: "ns",
      name: "w1",
      uid: "uid-w1",
      generation: 1,
      operation: "up",
    };
    const id = await queue.enqueue(data);
    await jobIn(queue, id, ["active"]);

    const closed = first.close();
    release();
    await closed;
    const handedBack = await queue.lookup(id);
    expect(handedBack.state).toBe("waiting");
    expect(handedBack.attemptsMade).toBe(0);

    const next = workerOn(prefix).handle("widget-stack", async () => ({ by: "next" }));
    void next.run();
    cleanups.push(() => next.close());
    expect((await jobEnded(queue, id)).result).toEqual({ by: "next" });
  });

  it("a lease released with its lock abandoned lets the next owner clear that lock at once", async () => {
    const prefix = newPrefix();
    const ttlMs = 60_000;
    const a = new StackLeases({ redis, prefix, ttlMs, host: "worker-a", pid: 1 });
    const b = new StackLeases({ redis, prefix, ttlMs, host: "worker-b", pid: 2 });
    const stack = "team-a-abandoned-1a2b3c4d";

    const lease = await a.acquire(stack, "uid-1.g1.up", "none");
    await lease.release({ lockAbandoned: true });
    // The lock is seen, and no ttl has passed: still the next owner may prove it stale.
    const next = await b.acquire(stack, "uid-1.g1.up", "seen");
    expect(next.provenVacant).toBe(true);
    await next.release();

    // A plain release proves nothing: a lock seen then is waited on for a ttl.
    const plain = await a.acquire(stack, "uid-2.g1.up", "none");
    await plain.release();
    await expect(b.acquire(stack, "uid-2.g1.up", "seen")).rejects.toBeInstanceOf(StackOwnerUnknownError);
  });
});
