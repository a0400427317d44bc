import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import type { ClusterDeployment, StackStatus } from "../../src/api/index.js";
import { clusterDeploymentResource } from "../../src/api/resources.js";
import { PULUMI_QUEUE } from "../../src/queue/job.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { simulatedClusterManifest } from "../builders/cluster-deployment.js";
import { deleteClustersThenStop, slipwayUnderTest } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { hubKubeConfig, kubectlOk, testRedisUrl } from "../harness/hub.js";

/** Waits until `get` returns a Ready ClusterDeployment; returns it. */
function readyOf(what: string, get: () => Promise<ClusterDeployment>, timeoutMs: number) {
  return eventually(
    what,
    async () => {
      const cd = await get();
      return getCondition(cd.status?.conditions as never, "Ready")?.status === "True" ? cd : undefined;
    },
    timeoutMs,
  );
}

/*
 * Transient means retry, however long it lasts. The old budget was 5 attempts, then `Stalled ... change the spec
 * to try again`. A failure the error table calls transient, repeated 7 times, must be retried until it passes,
 * with the real cause and the next attempt's time in status meanwhile, and the cluster must converge without
 * anybody touching the spec. A terminal failure beside it is the opposite: never retried, Stalled with what to
 * change, and it converges once the spec changes. The backoff is shortened for the test (1 s, capped at 1 s in the
 * first case and doubling to 2 s in the second); the defaults are 5 s doubling to 5 min.
 */
describe("transient failures on the real controller, worker, hub and Pulumi CLI", () => {
  it(
    "an up failing 7 times for a transient cause is retried until the cluster is Ready, showing the cause; a terminal one stalls until the spec changes",
    { timeout: 240_000 },
    async () => {
      const sut = await slipwayUnderTest("transient", {
        SLIPWAY_LEADER_ELECTION: "false",
        SLIPWAY_JOB_BACKOFF_MS: "1000",
        SLIPWAY_JOB_BACKOFF_CAP_MS: "1000",
      });
      const ns = sut.namespace;
      const kube = new KubeClient(hubKubeConfig());
      try {
        sut.controller();
        sut.worker();
        const manifest = simulatedClusterManifest("flaky", { provisionSeconds: 0 });
        manifest.spec.platform.simulated = {
          ...manifest.spec.platform.simulated,
          failures: [
            {
              phase: "Provision",
              mode: "Transient",
              attempts: 7,
              message: "the cloud API throttled us (429)",
            },
          ],
        } as never;
        await kubectlOk(["apply", "-n", ns, "-f", "-"], { input: JSON.stringify(manifest) });
        const terminal = simulatedClusterManifest("doomed", { provisionSeconds: 0 });
        terminal.spec.platform.simulated = {
          ...terminal.spec.platform.simulated,
          failures: [{ phase: "Provision", mode: "Terminal", attempts: 0, message: "quota exceeded" }],
        } as never;
        await kubectlOk(["apply", "-n", ns, "-f", "-"], { input: JSON.stringify(terminal) });

        const messages = new Set<string>();
        const readyReasons = new Set<string>();
        let stalled: string | undefined;
        const ready = await eventually(
          "Ready after 7 transient failures",
          async () => {
            const cd = await kube.get<ClusterDeployment>(clusterDeploymentResource, ns, "flaky");
            const conditions = cd.status?.conditions as never;
            const reconciling = getCondition(conditions, "Reconciling");
            if (reconciling?.status === "True") messages.add(reconciling.message ?? "");
            const notReady = getCondition(conditions, "Ready");
            if (notReady?.status === "False") readyReasons.add(notReady.reason ?? "");
            const stall = getCondition(conditions, "Stalled");
            if (stall?.status === "True") stalled ??= stall.message;
            return getCondition(conditions, "Ready")?.status === "True" ? cd : undefined;
          },
          200_000,
          100,
        );

        expect(stalled, "a transient failure must never stall the cluster").toBeUndefined();
        const op = ready.status?.stack as StackStatus | undefined;
        expect(op).toMatchObject({ type: "up", generation: 1, result: "Succeeded" });
        expect(op?.jobId).toBe(`${ready.metadata!.uid}.g1.up`); // one job, retried: no spec change, no new job
        expect(ready.metadata?.generation).toBe(1);

        // While it retried, status said which attempt failed, why (the real cause) and when the next one starts.
        const retrying = [...messages]
          .map((m) =>
            /provision attempt (\d+) failed: SimulatedTransientFailure: .*the cloud API throttled us \(429\); next attempt at (\S+)/.exec(
              m,
            ),
          )
          .filter((m) => m !== null);
        expect(retrying.length, [...messages].join("\n")).toBeGreaterThan(0);
        for (const m of retrying) expect(Number.isNaN(Date.parse(m[2]!))).toBe(false);
        const attempts = retrying.map((m) => Number(m[1]));
        // Ready says the cluster waits on a retry, not that it is merely provisioning.
        expect([...readyReasons]).toContain("WaitingForRetry");
        // Past the old budget of 5 attempts.
        expect(Math.max(...attempts), [...messages].join("\n")).toBeGreaterThan(5);
        console.log(`transient retry: status showed failed attempts ${[...new Set(attempts)].join(", ")}`);

        // The terminal failure stalled its cluster after one attempt, says why and what to do, and the cluster
        // converges once its spec no longer fails.
        const getDoomed = () => kube.get<ClusterDeployment>(clusterDeploymentResource, ns, "doomed");
        const stall = await eventually("doomed Stalled", async () => {
          const c = getCondition((await getDoomed()).status?.conditions as never, "Stalled");
          return c?.status === "True" ? c : undefined;
        });
        expect(stall.reason).toBe("OperationFailed");
        expect(stall.message).toContain("quota exceeded");
        expect(stall.message).toContain("change the spec to try again");
        const doomed = await getDoomed();
        const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
        const queue = new Queue(PULUMI_QUEUE, { connection: redis, prefix: sut.env.SLIPWAY_QUEUE_PREFIX! });
        try {
          const job = await queue.getJob(`${doomed.metadata!.uid}.g1.up`);
          expect(job?.attemptsMade, "a terminal failure is never retried").toBe(1);
        } finally {
          await queue.close();
          redis.disconnect();
        }
        await kube.patch(
          clusterDeploymentResource,
          ns,
          "doomed",
          { spec: { platform: { simulated: { failures: null } } } },
          { type: "merge" },
        );
        const fixed = await readyOf("doomed Ready once the failure is gone from the spec", getDoomed, 60_000);
        expect(getCondition(fixed.status?.conditions as never, "Stalled")).toBeUndefined();
      } finally {
        await deleteClustersThenStop(sut, ns);
      }
    },
  );

  it(
    "a job whose worker died on it three times is queued again after a backoff, and the cluster converges",
    { timeout: 300_000 },
    async () => {
      // Short BullMQ locks and leases, so a killed worker's job and stack come back within seconds.
      const sut = await slipwayUnderTest("worker-lost", {
        SLIPWAY_LEADER_ELECTION: "false",
        SLIPWAY_JOB_BACKOFF_MS: "1000",
        SLIPWAY_JOB_BACKOFF_CAP_MS: "2000",
        SLIPWAY_WORKER_LOCK_MS: "4000",
        SLIPWAY_WORKER_STALLED_INTERVAL_MS: "1000",
        SLIPWAY_STACK_LEASE_MS: "4000",
      });
      const ns = sut.namespace;
      const kube = new KubeClient(hubKubeConfig());
      const get = () => kube.get<ClusterDeployment>(clusterDeploymentResource, ns, "crashy");
      try {
        sut.controller();
        await kubectlOk(["apply", "-n", ns, "-f", "-"], {
          // Long enough that every life is killed mid-run (the kill follows the run's first log line within a
          // quarter of a second; the CLI alone takes seconds to reach the provider), short because the retry that
          // converges waits it out.
          input: JSON.stringify(simulatedClusterManifest("crashy", { provisionSeconds: 3 })),
        });
        const uid = (await eventually(
          "the ClusterDeployment exists",
          async () => (await get()).metadata?.uid,
        ))!;
        const logFor = (w: { log(): string }) => () => w.log().includes("Running up for generation 1");
        for (let death = 1; death <= 3; death++) {
          const worker = sut.worker();
          await eventually(`the worker runs the up (life ${death})`, logFor(worker), 90_000, 250);
          await worker.stop("SIGKILL");
        }
        // The next worker's stalled check finds the job's third death: BullMQ fails it (stalled more than
        // maxStalledCount = 2 times). No fault of the spec: the controller queues it again after a backoff.
        sut.worker();
        const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
        const queue = new Queue(PULUMI_QUEUE, { connection: redis, prefix: sut.env.SLIPWAY_QUEUE_PREFIX! });
        try {
          const first = await eventually(
            "the first job failed for its worker's deaths",
            async () => {
              const job = await queue.getJob(`${uid}.g1.up`);
              if (!job || (await job.getState()) !== "failed") return undefined;
              // Read it again: the first read may predate its move to failed, and so lack why it failed.
              return queue.getJob(`${uid}.g1.up`);
            },
            90_000,
          );
          expect(first.failedReason).toMatch(/stalled more than allowable limit/);
        } finally {
          await queue.close();
          redis.disconnect();
        }
        await eventually(
          "the controller queued the up again as a retry",
          async () =>
            ((await get()).status?.stack as StackStatus | undefined)?.jobId === `${uid}.g1.up.retry1`,
          60_000,
        );
        const during = await get();
        expect(getCondition(during.status?.conditions as never, "Stalled")?.status).not.toBe("True");

        const ready = await readyOf("Ready after the retry", get, 120_000);
        expect(ready.status?.stack).toMatchObject({ jobId: `${uid}.g1.up.retry1`, result: "Succeeded" });
        expect(ready.metadata?.generation).toBe(1);
      } finally {
        await deleteClustersThenStop(sut, ns);
      }
    },
  );
});
