import { randomBytes } from "node:crypto";
import { Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import {
  STACK_QUEUE,
  type StackJobData,
  type StackJobResult,
  type StackOperation,
} from "../../src/queue/stack-job.js";
import { StackQueue } from "../../src/queue/stack-queue.js";
import { testRedisUrl } from "../harness/hub.js";

/** The real test Redis, a prefix of its own per test. */
function queueUnderTest() {
  const prefix = `sq-${randomBytes(4).toString("hex")}`;
  return { prefix, queue: new StackQueue({ redisUrl: testRedisUrl(), prefix, attempts: 1, backoffMs: 100 }) };
}

function job(name: string, operation: StackOperation): StackJobData {
  return { kind: "ClusterDeployment", namespace: "ns", name, uid: `uid-${name}`, generation: 1, operation };
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

describe("StackQueue on the real Redis", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  function worker(
    prefix: string,
    process: (job: Job<StackJobData, StackJobResult>) => Promise<StackJobResult>,
  ) {
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const w = new Worker<StackJobData, StackJobResult>(STACK_QUEUE, process, {
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
    for (let i = 0; i < 100 && (await queue.lookup(activeId)).state !== "completed"; i++)
      await new Promise((r) => setTimeout(r, 50));
    const done = await queue.lookup(activeId);
    expect(done.state).toBe("completed");
    expect(done.result).toMatchObject({ operation: "up", powerState: "Running" });
  });
});
