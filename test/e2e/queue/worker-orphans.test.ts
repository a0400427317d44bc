import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import { clusterDeploymentResource } from "../../../src/api/resources.js";
import { PULUMI_QUEUE } from "../../../src/queue/job.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { simulatedClusterManifest } from "../../builders/cluster-deployment.js";
import { slipwayUnderTest, type ComponentProcess, type SlipwayUnderTest } from "../../harness/components.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, kubectl, kubectlOk, testRedisUrl } from "../../harness/hub.js";

/*
 * A worker stopped or killed in the middle of a run must not leave its Pulumi CLI or dynamic-provider plugins
 * (about 100 MiB each) running with parent pid 1. Real controller, worker, Redis and Pulumi CLI; the simulated
 * cluster's create takes ten minutes, so the run is mid-flight whenever the worker goes.
 */

interface PulumiProcess {
  pid: number;
  ppid: number;
  command: string;
}

/** Processes of the Slipway under test's Pulumi runs: the CLI and its plugins run with its PULUMI_HOME. */
function pulumiProcessesOf(sut: SlipwayUnderTest): PulumiProcess[] {
  const marker = `PULUMI_HOME=${join(sut.stateDir, "pulumi", "home")}\0`;
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        if (!readFileSync(`/proc/${pid}/environ`, "utf8").includes(marker)) return [];
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (state === "Z") return [];
        const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, 2).join(" ");
        return [{ pid: Number(pid), ppid: Number(ppid), command }];
      } catch {
        return [];
      }
    });
}

function describeAll(processes: PulumiProcess[]): string {
  return processes.map((p) => `  ${p.pid} (parent ${p.ppid}) ${p.command}`).join("\n");
}

/** Starts a worker and waits until its run of the slow cluster's `up` has the dynamic provider creating. */
async function workerMidRun(sut: SlipwayUnderTest, ns: string): Promise<ComponentProcess> {
  const worker = sut.worker();
  await kubectlOk(["apply", "-n", ns, "-f", "-"], {
    input: JSON.stringify(simulatedClusterManifest("slow", { provisionSeconds: 600 })),
  });
  await eventually(
    "the dynamic provider creating the slow cluster",
    () => pulumiProcessesOf(sut).some((p) => p.command.includes("dynamic-provider")),
    90_000,
    250,
  );
  return worker;
}

/** Leaves nothing behind even when an assertion failed: stops Slipway, ends its Pulumi processes, drops the CD. */
async function cleanUp(sut: SlipwayUnderTest, ns: string): Promise<void> {
  await sut.stopAll();
  for (const p of pulumiProcessesOf(sut)) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  await kubectl(["patch", "-n", ns, "cd/slow", "--type=merge", "-p", '{"metadata":{"finalizers":null}}']);
  await kubectl(["delete", "namespace", ns, "--wait=false"]);
}

describe("no process outlives its worker", () => {
  it(
    "a worker started after one was SIGKILLed mid-run ends the processes the dead one's run left",
    { timeout: 150_000 },
    async () => {
      const sut = await slipwayUnderTest("orphans-kill", { SLIPWAY_LEADER_ELECTION: "false" });
      const ns = sut.namespace;
      try {
        sut.controller();
        const doomed = await workerMidRun(sut, ns);

        await doomed.stop("SIGKILL");
        // The CLI goes down with its worker, but not the plugins it started: they keep running, adopted by init.
        const replacement = sut.worker();
        await eventually(
          "the new worker started",
          () => replacement.log().includes('"Worker started"'),
          60_000,
        );

        await eventually(
          "no process of the killed worker's run left",
          () => pulumiProcessesOf(sut).length === 0,
          10_000,
        ).catch(() => {
          throw new Error(
            `processes of the killed worker's run still running:\n${describeAll(pulumiProcessesOf(sut))}`,
          );
        });
        expect(replacement.log()).toContain("Ended a process a dead worker's Pulumi run left behind");
      } finally {
        await cleanUp(sut, ns);
      }
    },
  );

  it(
    "a worker stopped mid-run interrupts the run, ends its processes and exits; the job waits for the next worker",
    { timeout: 150_000 },
    async () => {
      const sut = await slipwayUnderTest("orphans-stop", { SLIPWAY_LEADER_ELECTION: "false" });
      const ns = sut.namespace;
      const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
      const queue = new Queue(PULUMI_QUEUE, { connection: redis, prefix: sut.env.SLIPWAY_QUEUE_PREFIX! });
      try {
        sut.controller();
        const worker = await workerMidRun(sut, ns);
        const uid = (
          await new KubeClient(hubKubeConfig()).get<ClusterDeployment>(clusterDeploymentResource, ns, "slow")
        ).metadata!.uid!;

        // The harness SIGKILLs a worker still running 15 s after SIGTERM: within that, it must have stopped itself.
        await worker.stop("SIGTERM");

        expect(worker.exitStatus, `the worker's log:\n${worker.log()}`).toEqual({ code: 0, signal: null });
        const left = pulumiProcessesOf(sut);
        expect(left, `processes of the stopped worker's run:\n${describeAll(left)}`).toEqual([]);
        // Interrupted, not failed: the next worker takes the job again, and the interruption used no attempt.
        const job = await queue.getJob(`${uid}.g1.up`);
        expect(job, "the up job").toBeDefined();
        // Deferred for about a second: on a slow machine the delay may already be over (waiting again).
        expect(["delayed", "waiting", "prioritized"]).toContain(await job!.getState());
        expect(job!.attemptsMade).toBe(0);
      } finally {
        await cleanUp(sut, ns);
        await queue.close();
        redis.disconnect();
      }
    },
  );
});
