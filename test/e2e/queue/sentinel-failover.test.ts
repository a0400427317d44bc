import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import { clusterDeploymentResource } from "../../../src/api/resources.js";
import { redisConnection } from "../../../src/queue/redis.js";
import { stackNameFor } from "../../../src/queue/stack-job.js";
import { getCondition } from "../../../src/runtime/conditions.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { simulatedClusterManifest } from "../../builders/cluster-deployment.js";
import { slipwayUnderTest, type ComponentProcess, type SlipwayUnderTest } from "../../harness/components.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, kubectlOk } from "../../harness/hub.js";
import { SENTINEL_MASTER, SentinelDeployment } from "../../harness/redis-sentinel.js";

/*
 * Redis that fails over: Debian's redis-server on loopback as one master, one replica and three Sentinels; the
 * real controller and worker processes are given the Sentinels (SLIPWAY_REDIS_SENTINELS), not a Redis URL. The
 * master is SIGKILLed while 20 simulated clusters provision. Every cluster converges, and no stack records more
 * than one create: the jobs that the replica had not yet received are queued again by the controller (Redis is a
 * cache of the hub's objects) and the stack leases keep a re-queued job from running beside the first.
 * Prints the recovery time (kill -> a new master -> the queue moving again).
 *
 * Slow: 20 Pulumi ups of the simulated platform are about 60-90 s of CPU on the 2-core machine; the failover
 * itself costs about 2 s.
 */

const CLUSTERS = 20;

describe("a Redis Sentinel failover while 20 simulated clusters provision", () => {
  let sentinel: SentinelDeployment;
  let sut: SlipwayUnderTest;
  let kube: KubeClient;
  let processes: ComponentProcess[];
  const names = Array.from({ length: CLUSTERS }, (_, i) => `sf-${i}`);

  beforeAll(async () => {
    sut = await slipwayUnderTest("e2e-sentinel", {
      REDIS_URL: "",
      SLIPWAY_LEADER_ELECTION: "false",
      // A job lost with the old master's last writes is queued again by the controller's next pass.
      SLIPWAY_JOB_BACKOFF_MS: "500",
      SLIPWAY_JOB_BACKOFF_CAP_MS: "4000",
    });
    sentinel = await SentinelDeployment.start(join(sut.stateDir, "redis"));
    const redisEnv = {
      SLIPWAY_REDIS_SENTINELS: sentinel.sentinels,
      SLIPWAY_REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
    };
    processes = [sut.controller(redisEnv), sut.worker(redisEnv)];
    kube = new KubeClient(hubKubeConfig());
  });

  afterAll(async () => {
    // Simulated clusters hold nothing on this machine: stopping the processes is enough (destroying 20 would
    // double the file's time).
    await sut?.stopAll();
    await sentinel?.stop();
  });

  const get = (name: string) => kube.get<ClusterDeployment>(clusterDeploymentResource, sut.namespace, name);
  const isReady = (cd: ClusterDeployment) =>
    getCondition(cd.status?.conditions as never, "Ready")?.status === "True" &&
    cd.status?.observedGeneration === cd.metadata.generation;

  /** Updates of a stack whose history records a create: one per stack, or it was created twice. */
  function createsIn(stack: string): number {
    const dir = join(sut.stateDir, "pulumi", ".pulumi", "history", "slipway", stack);
    if (!existsSync(dir)) return 0;
    return readdirSync(dir)
      .filter((f) => f.endsWith(".history.json"))
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as { resourceChanges?: { create?: number } })
      .filter((h) => (h.resourceChanges?.create ?? 0) > 0).length;
  }

  it(
    "converges all 20 with one create per stack, and the queue moves again within seconds",
    { timeout: 240_000 },
    async () => {
      const suffix = sut.namespace.slice(-6);
      for (const name of names) {
        const manifest = simulatedClusterManifest(name, { provisionSeconds: 1 });
        manifest.spec.clusterName = `${name}-${suffix}`;
        await kubectlOk(["apply", "-n", sut.namespace, "-f", "-"], { input: JSON.stringify(manifest) });
      }
      // The same Sentinel address the processes were given, so the test sees the queue through the failover too.
      const redis = redisConnection(
        `redis-sentinel://${sentinel.sentinels}/0?sentinelMasterId=${SENTINEL_MASTER}`,
      );
      redis.on("error", () => undefined); // the master it used is killed below; it follows the Sentinels
      const prefix = sut.env.SLIPWAY_QUEUE_PREFIX!;
      const completed = () => redis.zcard(`${prefix}:pulumi:completed`);
      /** When the worker last wrote a job event (active, progress, completed...): the ms of the stream's last id. */
      const lastEventAt = async () => {
        const [last] = await redis.xrevrange(`${prefix}:pulumi:events`, "+", "-", "COUNT", 1);
        return last ? Number(last[0].split("-")[0]) : 0;
      };
      try {
        // Kill the master once the worker is busy and a cluster is done, so jobs of every state are in Redis.
        await eventually(
          "a provision done and more running",
          async () => (await completed()) >= 1 && (await redis.llen(`${prefix}:pulumi:active`)) > 0,
          120_000,
        );
        const oldMaster = await sentinel.killMaster();
        const killedAt = Date.now();
        const promoted = await eventually(
          "the Sentinels to promote the replica",
          async () => ((await sentinel.masterPort()) !== oldMaster ? Date.now() : undefined),
          30_000,
          100,
        );
        // Slipway's first write on the new master: the queue moves again.
        const moving = await eventually(
          "a job event written on the new master",
          async () => {
            const at = await lastEventAt();
            return at > promoted ? at : undefined;
          },
          60_000,
          100,
        );
        const ready = await eventually(
          "all 20 Ready",
          async () => {
            const cds = await Promise.all(names.map(get));
            return cds.every(isReady) ? cds : undefined;
          },
          120_000,
          1_000,
        );
        const allReadyAt = Date.now();
        console.log(
          `Sentinel failover: new master ${((promoted - killedAt) / 1000).toFixed(1)} s after the kill; Slipway's ` +
            `first job event on it ${((moving - killedAt) / 1000).toFixed(1)} s after; all ${CLUSTERS} Ready ` +
            `${((allReadyAt - killedAt) / 1000).toFixed(1)} s after`,
        );
        for (const cd of ready) {
          const stack = stackNameFor({
            namespace: cd.metadata.namespace!,
            name: cd.metadata.name!,
            uid: cd.metadata.uid!,
          });
          expect(createsIn(stack), `updates with a create for ${cd.metadata.name}`).toBe(1);
        }
        // Neither process was restarted: both followed the Sentinels to the new master.
        expect(processes.map((p) => p.exitStatus)).toEqual([undefined, undefined]);
      } finally {
        redis.disconnect();
      }
    },
  );
});
