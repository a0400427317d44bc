import { randomBytes } from "node:crypto";
import { Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { jobId, PULUMI_QUEUE } from "../../../src/queue/job.js";
import { JobQueue } from "../../../src/queue/job-queue.js";
import type { StackJobData, StackJobResult, StackOperation } from "../../../src/queue/stack-job.js";
import { eventually } from "../../harness/eventually.js";
import { testRedisUrl } from "../../harness/hub.js";
import { jobEnded } from "../../harness/jobs.js";

/** The real test Redis, a prefix of its own per test. */
function queueUnderTest() {
  const prefix = `sq-${randomBytes(4).toString("hex")}`;
  const queue = new JobQueue<StackJobData, StackJobResult>({
    name: PULUMI_QUEUE,
    redisUrl: testRedisUrl(),
    prefix,
    attempts: 1,
    backoffMs: 100,
  });
  return { prefix, queue };
}

function job(name: string, operation: StackOperation): StackJobData {
  return {
    type: "widget-stack",
    kind: "Widget",
    namespace: "ns",
    name,
    uid: `uid-${name}`,
    generation: 1,
    operation,
  };
}

function result(operation: StackOperation): StackJobResult {
  return {
    operation,
    generation: 1,
    resourceChanges: {},
    durationMs: 1,
    finishedAt: new Date().toISOString(),
    powerState: "Running",
  };
}

describe("jobId", () => {
  it("is the same for the same resource, generation, operation and suffix, and never holds ':'", () => {
    const data = { uid: "5e6f7a8b-0000", generation: 4, operation: "up" };
    expect(jobId(data)).toBe("5e6f7a8b-0000.g4.up");
    expect(jobId(data, "repair1700000000000")).toBe("5e6f7a8b-0000.g4.up.repair1700000000000");
    expect(jobId({ ...data })).toBe(jobId(data));
    expect(() => jobId(data, "r:1")).toThrow(/':'/);
  });
});

describe("JobQueue on the real Redis", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  function worker(
    prefix: string,
    process: (job: Job<StackJobData, StackJobResult>) => Promise<StackJobResult>,
  ) {
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const w = new Worker<StackJobData, StackJobResult>(PULUMI_QUEUE, process, {
      connection,
      prefix,
      concurrency: 1,
    });
    cleanups.push(async () => {
      await w.close();
      connection.disconnect();
    });
    return w;
  }

  it("runs queued provisions and deletions before a periodic refresh queued earlier", async () => {
    const { prefix, queue } = queueUnderTest();
    cleanups.push(() => queue.close());
    await queue.enqueue(job("a", "refresh"));
    await queue.enqueue(job("b", "up"));
    await queue.enqueue(job("c", "destroy"));
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      worker(prefix, async (j) => {
        order.push(`${j.data.name}:${j.data.operation}`);
        if (order.length === 3) resolve();
        return result(j.data.operation);
      });
    });
    expect(order).toEqual(["b:up", "c:destroy", "a:refresh"]);
  });

  it("withdraws a job no worker holds, but not one a worker runs; lookup sees each state with its result", async () => {
    const { prefix, queue } = queueUnderTest();
    cleanups.push(() => queue.close());
    const waitingId = await queue.enqueue(job("w", "refresh"));
    expect((await queue.lookup(waitingId)).state).toBe("waiting");
    expect(await queue.withdraw(waitingId)).toBe(true);
    expect((await queue.lookup(waitingId)).state).toBe("missing");

    let release!: () => void;
    const started = new Promise<void>((resolve) => {
      worker(prefix, async (j) => {
        resolve();
        await new Promise<void>((r) => (release = r));
        return result(j.data.operation);
      });
    });
    const activeId = await queue.enqueue(job("x", "up"));
    await started;
    expect((await queue.lookup(activeId)).state).toBe("active");
    expect(await queue.withdraw(activeId)).toBe(false);
    release();
    const done = await jobEnded(queue, activeId);
    expect(done.state).toBe("completed");
    expect(done.result).toMatchObject({ operation: "up", powerState: "Running" });
  });

  it("removes a finished job, so the same id can be queued again instead of being dropped as a duplicate", async () => {
    const { prefix, queue } = queueUnderTest();
    cleanups.push(() => queue.close());
    const runs: string[] = [];
    worker(prefix, async (j) => {
      runs.push(j.id!);
      return result(j.data.operation);
    });
    const id = await queue.enqueue(job("d", "destroy"));
    expect((await jobEnded(queue, id)).state).toBe("completed");
    expect(await queue.enqueue(job("d", "destroy"))).toBe(id);
    expect((await queue.lookup(id)).state).toBe("completed"); // a duplicate while the old job exists
    await queue.remove(id);
    expect((await queue.lookup(id)).state).toBe("missing");
    await queue.enqueue(job("d", "destroy"));
    await eventually("the job queued again to run", () => runs.length === 2);
    expect(runs).toEqual([id, id]);
  });
});
