import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { PULUMI_QUEUE, SPOKE_QUEUE, type JobData } from "../../../src/queue/job.js";
import { JobEventRouter, type JobEvent } from "../../../src/queue/job-events.js";
import { JobQueue } from "../../../src/queue/job-queue.js";
import { JobWorker } from "../../../src/queue/job-worker.js";
import { eventually } from "../../harness/eventually.js";
import { testRedisUrl } from "../../harness/hub.js";
import { jobEnded } from "../../harness/jobs.js";

const WORKER_TIMINGS = { lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1 };

describe("JobEventRouter on the real Redis", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("routes each job's events to the controller of the kind it names, from every queue", async () => {
    const prefix = `je-${randomBytes(4).toString("hex")}`;
    const redisUrl = testRedisUrl();
    const router = new JobEventRouter({ redisUrl, prefix, queues: [PULUMI_QUEUE, SPOKE_QUEUE] });
    cleanups.push(() => router.close());
    const clusters: JobEvent[] = [];
    const hosted: JobEvent[] = [];
    router.subscribe("ClusterDeployment", (e) => clusters.push(e));
    const unsubscribe = router.subscribe("HostedCluster", (e) => hosted.push(e));
    await router.start();

    for (const name of [PULUMI_QUEUE, SPOKE_QUEUE]) {
      const worker = new JobWorker({ queue: name, redisUrl, prefix, concurrency: 1, ...WORKER_TIMINGS });
      worker.handle("stack", async (job) => {
        job.progress({ percent: 50 });
        return "ok";
      });
      worker.handle("registration", async () => {
        throw new Error("spoke unreachable");
      });
      void worker.run();
      cleanups.push(() => worker.close());
    }
    const pulumi = new JobQueue({ name: PULUMI_QUEUE, redisUrl, prefix, attempts: 1, backoffMs: 10 });
    const spoke = new JobQueue({ name: SPOKE_QUEUE, redisUrl, prefix, attempts: 1, backoffMs: 10 });
    cleanups.push(
      () => pulumi.close(),
      () => spoke.close(),
    );

    const ref = (kind: string, name: string, type: string, operation: string): JobData => ({
      type,
      kind,
      namespace: "team-a",
      name,
      uid: `uid-${name}`,
      generation: 1,
      operation,
    });
    const cdJob = await pulumi.enqueue(ref("ClusterDeployment", "dev-1", "stack", "up"));
    const hcJob = await spoke.enqueue(ref("HostedCluster", "hc-1", "registration", "register"));

    const ended = (events: JobEvent[], end: string) => events.some((e) => e.event === end);
    await eventually("the ClusterDeployment's job completed event", () => ended(clusters, "completed"));
    await eventually("the HostedCluster's job failed event", () => ended(hosted, "failed"));
    expect(clusters.map((e) => e.event)).toEqual(expect.arrayContaining(["active", "progress", "completed"]));
    expect(hosted.map((e) => e.event)).toEqual(expect.arrayContaining(["active", "failed"]));
    expect(clusters.every((e) => e.jobId === cdJob && e.queue === PULUMI_QUEUE)).toBe(true);
    expect(clusters[0]).toMatchObject({ kind: "ClusterDeployment", namespace: "team-a", name: "dev-1" });
    expect(hosted.every((e) => e.jobId === hcJob && e.queue === SPOKE_QUEUE)).toBe(true);
    expect(hosted[0]).toMatchObject({ kind: "HostedCluster", namespace: "team-a", name: "hc-1" });

    // A kind nobody subscribes to any more is dropped, and never reaches another kind's controller.
    unsubscribe();
    const seenBefore = { clusters: clusters.length, hosted: hosted.length };
    const hcAgain = await pulumi.enqueue(ref("HostedCluster", "hc-2", "stack", "up"));
    const cdAgain = await pulumi.enqueue(ref("ClusterDeployment", "dev-2", "stack", "up"));
    await eventually("dev-2's job completed event", () =>
      clusters.some((e) => e.jobId === cdAgain && e.event === "completed"),
    );
    expect((await jobEnded(pulumi, hcAgain)).state).toBe("completed");
    expect(hosted).toHaveLength(seenBefore.hosted);
    expect(clusters.slice(seenBefore.clusters).every((e) => e.name === "dev-2")).toBe(true);
  });
});
