import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PULUMI_QUEUE } from "../../../src/queue/job.js";
import { JobQueue } from "../../../src/queue/job-queue.js";
import { JobWorker } from "../../../src/queue/job-worker.js";
import { redisConnection } from "../../../src/queue/redis.js";
import { StackLeases } from "../../../src/queue/stack-lease.js";
import { loadConfig } from "../../../src/runtime/config.js";
import { jobEnded } from "../../harness/jobs.js";
import { RedisClusterDeployment } from "../../harness/redis-cluster.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

/*
 * Redis Cluster: BullMQ's scripts touch several keys of a queue at once, and a Cluster runs a script only when all
 * its keys hash to one slot. With the hash-tagged prefix ({slipway}, the default on a Cluster) every key of
 * Slipway's (BullMQ's, the stack leases', the cancel requests') lands in the prefix's slot, and the queue works;
 * without the tag Redis answers CROSSSLOT, so the configuration refuses such a prefix.
 */
const tempFolder = temporaryFolders("slipway-redis-cluster-");

describe("the queue on a Redis Cluster of three masters", () => {
  let dir: string;
  let cluster: RedisClusterDeployment;

  beforeAll(async () => {
    dir = tempFolder();
    cluster = await RedisClusterDeployment.start(dir);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it("runs a job, a stack lease and a cancel request under the hash-tagged prefix", async () => {
    const config = loadConfig({ SLIPWAY_REDIS_CLUSTER_NODES: cluster.nodes });
    expect(config.queuePrefix).toBe("{slipway}");
    const base = { name: PULUMI_QUEUE, redisUrl: config.redisUrl!, prefix: config.queuePrefix };
    const queue = new JobQueue({ ...base, backoffMs: 100 });
    const worker = new JobWorker({
      queue: PULUMI_QUEUE,
      redisUrl: config.redisUrl!,
      prefix: config.queuePrefix,
      concurrency: 2,
      lockDurationMs: 10_000,
      stalledIntervalMs: 5_000,
      maxStalledCount: 1,
    });
    const redis = redisConnection(config.redisUrl!);
    try {
      worker.handle("cluster-test", async () => ({ ran: true }));
      void worker.run();
      const data = {
        type: "cluster-test",
        kind: "Widget",
        namespace: "ns",
        name: "w",
        uid: "u-1",
        generation: 1,
      };
      const id = await queue.enqueue({ ...data, operation: "up" } as never);
      const ended = await jobEnded(queue, id);
      expect(ended.state).toBe("completed");
      expect(ended.result).toEqual({ ran: true });

      const leases = new StackLeases({ redis, prefix: config.queuePrefix, ttlMs: 5_000 });
      const lease = await leases.acquire("stack-a", "job-1", "none");
      expect((await leases.holder("stack-a"))?.holder).toBeDefined();
      await lease.release();
      expect(await leases.holder("stack-a")).toBeUndefined();
      await queue.requestCancel(id, "test");
    } finally {
      await worker.close();
      await queue.close();
      redis.disconnect();
    }
  });

  it("refuses a prefix without a hash tag, saying how to write one", () => {
    expect(() =>
      loadConfig({ SLIPWAY_REDIS_CLUSTER_NODES: cluster.nodes, SLIPWAY_QUEUE_PREFIX: "team-a" }),
    ).toThrow(
      'SLIPWAY_QUEUE_PREFIX "team-a" has no hash tag, which a Redis Cluster needs: put its name in braces, e.g. "{team-a}"',
    );
  });
});
