import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { JobDeferredError, TerminalJobError } from "../../../src/errors/index.js";
import { PULUMI_QUEUE, SPOKE_QUEUE, type JobData } from "../../../src/queue/job.js";
import { JobQueue } from "../../../src/queue/job-queue.js";
import { JobWorker, type JobHandler } from "../../../src/queue/job-worker.js";
import { createJobWorkers } from "../../../src/queue/job-workers.js";
import { loadConfig } from "../../../src/runtime/config.js";
import { Metrics } from "../../../src/runtime/metrics.js";
import { testRedisUrl } from "../../harness/hub.js";
import { jobEnded, jobIn } from "../../harness/jobs.js";

const WORKER_TIMINGS = { lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1 };

function jobOf(type: string, name: string, operation = "up"): JobData {
  return { type, kind: "Widget", namespace: "ns", name, uid: `uid-${name}`, generation: 1, operation };
}

describe("JobWorker on the real Redis", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A queue and a prefix of its own per test, closed after it. */
  function queueOf(name: string, prefix: string, attempts = 1): JobQueue {
    const queue = new JobQueue({ name, redisUrl: testRedisUrl(), prefix, attempts, backoffMs: 10 });
    cleanups.push(() => queue.close());
    return queue;
  }

  function started(worker: JobWorker): JobWorker {
    void worker.run();
    cleanups.push(() => worker.close());
    return worker;
  }

  function workerOn(prefix: string, metrics?: Metrics): JobWorker {
    const worker = new JobWorker({
      queue: PULUMI_QUEUE,
      redisUrl: testRedisUrl(),
      prefix,
      concurrency: 2,
      ...WORKER_TIMINGS,
      metrics,
    });
    return worker;
  }

  const newPrefix = () => `jw-${randomBytes(4).toString("hex")}`;

  it("hands each job to the handler registered for its type; a type without one fails at once", async () => {
    const prefix = newPrefix();
    const queue = queueOf(PULUMI_QUEUE, prefix, 3);
    const seen: string[] = [];
    const handler =
      (label: string): JobHandler =>
      async (job) => {
        seen.push(`${label}:${job.data.name}`);
        return { by: label };
      };
    started(
      workerOn(prefix).handle("widget-stack", handler("widget")).handle("gadget-stack", handler("gadget")),
    );

    const widget = await queue.enqueue(jobOf("widget-stack", "w1"));
    const gadget = await queue.enqueue(jobOf("gadget-stack", "g1"));
    const unknown = await queue.enqueue(jobOf("gizmo-stack", "z1"));
    expect((await jobEnded(queue, widget)).result).toEqual({ by: "widget" });
    expect((await jobEnded(queue, gadget)).result).toEqual({ by: "gadget" });
    const failed = await jobEnded(queue, unknown);
    expect(failed.state).toBe("failed");
    expect(failed.failedReason).toMatch(/^NoHandler: no handler for job type "gizmo-stack"/);
    expect(failed.attemptsMade).toBe(1); // not retried: another attempt cannot find a handler either
    expect(seen.sort()).toEqual(["gadget:g1", "widget:w1"]);
  });

  it("retries a transient failure, stops at a terminal one, and records both under one set of labels", async () => {
    const prefix = newPrefix();
    const queue = queueOf(PULUMI_QUEUE, prefix, 3);
    const metrics = new Metrics({ collectDefaults: false });
    let flaky = 0;
    started(
      workerOn(prefix, metrics)
        .handle("flaky-stack", async (job) => {
          flaky += 1;
          if (job.attempt === 1) throw new Error("ProviderTransientError: connection reset");
          return { attempt: job.attempt };
        })
        .handle("doomed-stack", async () => {
          throw new TerminalJobError("InvalidInputs", "clusterName must be a DNS-1123 label");
        }),
    );

    const flakyId = await queue.enqueue(jobOf("flaky-stack", "f1"));
    const doomedId = await queue.enqueue(jobOf("doomed-stack", "d1", "destroy"));
    expect((await jobEnded(queue, flakyId)).result).toEqual({ attempt: 2 });
    const doomed = await jobEnded(queue, doomedId);
    expect(doomed.state).toBe("failed");
    expect(doomed.failedReason).toBe("InvalidInputs: clusterName must be a DNS-1123 label");
    expect(doomed.attemptsMade).toBe(1);
    expect(flaky).toBe(2);

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/slipway_job_duration_seconds_count\{type="up",result="failed"\} 1/);
    expect(text).toMatch(/slipway_job_duration_seconds_count\{type="up",result="succeeded"\} 1/);
    expect(text).toMatch(/slipway_job_duration_seconds_count\{type="destroy",result="failed"\} 1/);
    expect(text).not.toMatch(/result="(success|failure)"/);
  });

  it("puts a deferred job back, delayed, without using one of its attempts", async () => {
    const prefix = newPrefix();
    const queue = queueOf(PULUMI_QUEUE, prefix, 1);
    const runs: number[] = [];
    started(
      workerOn(prefix).handle("busy-stack", async (job) => {
        runs.push(job.attempt);
        if (runs.length === 1) throw new JobDeferredError("StackBusy", "held by host-b/42/other-job", 100);
        return "done";
      }),
    );
    const id = await queue.enqueue(jobOf("busy-stack", "b1"));
    // One attempt only: had the deferral counted as a failure, the job would have failed.
    const done = await jobEnded(queue, id);
    expect(done.state).toBe("completed");
    expect(runs).toEqual([1, 1]);
    expect(done.attemptsMade).toBe(1);
  });

  it("cancels a running job when its queuer asks, and never retries it, whatever attempts are left", async () => {
    const prefix = newPrefix();
    const queue = queueOf(PULUMI_QUEUE, prefix, 0); // 0: unlimited attempts, as stack jobs are queued
    const runs: number[] = [];
    const worker = new JobWorker({
      queue: PULUMI_QUEUE,
      redisUrl: testRedisUrl(),
      prefix,
      concurrency: 1,
      ...WORKER_TIMINGS,
      cancelPollMs: 50,
    });
    started(
      worker.handle("long-stack", async (job) => {
        runs.push(job.attempt);
        // A long run that stops when cancelled, as the Pulumi CLI does on SIGINT.
        await new Promise<void>((resolve) => job.signal.addEventListener("abort", () => resolve()));
        throw new Error(`interrupted: ${(job.signal.reason as Error).message}`);
      }),
    );
    const id = await queue.enqueue(jobOf("long-stack", "l1"));
    await jobIn(queue, id, ["active"]);
    await queue.requestCancel(id, "the Widget ns/l1 is being deleted");
    const failed = await jobEnded(queue, id);
    expect(failed.state).toBe("failed");
    expect(failed.failedReason).toBe("Cancelled: the Widget ns/l1 is being deleted");
    expect(failed.attemptsMade).toBe(1);
    // Asked again (the queuer asks on every pass until it sees the job end): nothing runs again.
    await queue.requestCancel(id, "the Widget ns/l1 is being deleted");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toEqual([1]);
    expect((await queue.lookup(id)).state).toBe("failed");
  });

  it("runs a Pulumi job while a slow spoke job fills every spoke slot", async () => {
    const prefix = newPrefix();
    const config = {
      ...loadConfig({
        SLIPWAY_STATE_DIR: "/nonexistent",
        SLIPWAY_QUEUE_PREFIX: prefix,
        SLIPWAY_WORKER_CONCURRENCY: "1",
        SLIPWAY_SPOKE_CONCURRENCY: "1",
      }),
      redisUrl: testRedisUrl(),
    };
    let releaseSpoke!: () => void;
    const spokeRunning = new Promise<void>((running) => {
      const workers = createJobWorkers(config, [
        { queue: PULUMI_QUEUE, type: "widget-stack", handler: async () => "applied" },
        {
          queue: SPOKE_QUEUE,
          type: "widget-registration",
          handler: async () => {
            running();
            await new Promise<void>((release) => (releaseSpoke = release));
            return "registered";
          },
        },
      ]);
      expect(workers.map((w) => w.worker.name).sort()).toEqual([PULUMI_QUEUE, SPOKE_QUEUE]);
      workers.forEach(started);
    });
    const pulumi = queueOf(PULUMI_QUEUE, prefix);
    const spoke = queueOf(SPOKE_QUEUE, prefix);

    const spokeId = await spoke.enqueue(jobOf("widget-registration", "slow", "register"));
    await spokeRunning;
    const pulumiId = await pulumi.enqueue(jobOf("widget-stack", "fast"));
    expect((await jobEnded(pulumi, pulumiId)).state).toBe("completed");
    expect((await spoke.lookup(spokeId)).state).toBe("active");

    releaseSpoke();
    expect((await jobEnded(spoke, spokeId)).result).toBe("registered");
  });
});
