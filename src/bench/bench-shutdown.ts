import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import type { ClusterDeployment } from "../api/index.js";
import { clusterDeploymentResource, namespaceResource } from "../api/resources.js";
import { PULUMI_QUEUE, type JobData } from "../queue/job.js";
import { redisConnection, type RedisConnection } from "../queue/redis.js";
import type { StackJobProgress } from "../queue/stack-job.js";
import type { KubeClient } from "../runtime/kube-client.js";
import { configureLogging } from "../runtime/logging.js";
import { distDir } from "../runtime/paths.js";
import { coreResources, type KubeObject } from "../runtime/resource.js";
import { isReady, seconds, withBenchEnvironment } from "./bench-environment.js";
import { simulated } from "./bench-workers.js";

/** A controller or worker process of the benchmark. */
interface Component {
  child: ChildProcess;
  logFile: string;
  /** Resolves with the time the process exited. */
  exited: Promise<number>;
}

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string };
}

/**
 * `slipway bench shutdown`: what a rolling update costs. Worker: `clusters` simulated clusters are mid-create on
 * one worker, a second one is started (as a Deployment's surge pod would be), and the first gets SIGTERM; the
 * figures are its exit time and, per job, SIGTERM -> waiting again -> taken by the second worker (from the queue's
 * event stream, on Redis's clock). Controller: the leader of two gets SIGTERM, then (in the next round) SIGKILL,
 * and the time until the other holds the Lease is measured.
 */
export async function benchShutdown(options: {
  clusters: number;
  rounds: number;
  provisionSeconds: number;
  leaseSeconds: number;
}): Promise<number> {
  configureLogging({ level: "warn" });
  await withBenchEnvironment(
    async ({ config, kube, redisUrl, stateDir }) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        SLIPWAY_STATE_DIR: stateDir,
        SLIPWAY_KUBECONFIG: config.kubeconfig,
        KUBECONFIG: "",
        REDIS_URL: redisUrl,
        SLIPWAY_QUEUE_PREFIX: config.queuePrefix,
        SLIPWAY_PULUMI_BACKEND_URL: config.pulumi.backendUrl,
        SLIPWAY_PULUMI_PASSPHRASE: config.pulumi.passphrase ?? randomBytes(24).toString("base64url"),
        SLIPWAY_WORKER_CONCURRENCY: String(options.clusters),
        SLIPWAY_LEASE_DURATION_SECONDS: String(options.leaseSeconds),
        SLIPWAY_LOG_LEVEL: "info",
      };
      const logs = join(stateDir, "bench-logs");
      await mkdir(logs, { recursive: true });
      let started = 0;
      const start = (name: "controller" | "worker", extra: Record<string, string> = {}) =>
        startComponent(name, join(logs, `${name}-${++started}.log`), { ...env, ...extra });
      const connection = redisConnection(redisUrl);
      const queue = new Queue<JobData>(PULUMI_QUEUE, { connection, prefix: config.queuePrefix });
      queue.on("error", () => undefined);
      const components: Component[] = [];
      try {
        console.log(
          `shutdown: ${options.clusters} simulated clusters (provisionSeconds ${options.provisionSeconds}) mid-create per ` +
            `round, ${options.rounds} rounds; Lease duration ${options.leaseSeconds} s`,
        );
        const controller = start("controller", { SLIPWAY_IDENTITY: "bench-a" });
        components.push(controller);
        let worker = start("worker");
        components.push(worker);
        const ns = `bench-shutdown-${randomBytes(3).toString("hex")}`;
        await kube.create(namespaceResource, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
        const names = Array.from({ length: options.clusters }, (_, i) => `sd-${i + 1}`);
        for (const name of names)
          await kube.create(clusterDeploymentResource, simulated(ns, name, options.provisionSeconds));

        const handBack: number[] = [];
        const taken: number[] = [];
        for (let round = 1; round <= options.rounds; round++) {
          await untilAllCreating(queue, names.length);
          const next = start("worker");
          components.push(next);
          await untilLogged(next, '"Worker started"'); // the surge pod's start-up, outside what is measured
          const signalledAt = await redisNow(connection);
          const localSignalled = Date.now();
          worker.child.kill("SIGTERM");
          const exitedAt = await worker.exited;
          const { waiting, active } = await handBackTimes(
            connection,
            config.queuePrefix,
            signalledAt,
            names.length,
          );
          handBack.push(...waiting);
          taken.push(...active);
          console.log(
            `  round ${round}: worker exit ${worker.child.exitCode} in ${seconds(exitedAt - localSignalled)}; ` +
              `jobs waiting again ${range(waiting)}, taken by the next worker ${range(active)} after SIGTERM`,
          );
          worker = next;
        }
        const readyAt = Date.now();
        await untilReady(kube, ns, names);
        console.log(
          `  all ${names.length} Ready ${seconds(Date.now() - readyAt)} after the last hand-back ` +
            `(provisioning takes ${options.provisionSeconds} s)`,
        );
        console.log(`  hand-back over all rounds: waiting ${range(handBack)}, taken ${range(taken)}`);

        // Leadership: a standby beside the leader; the leader gets SIGTERM, then (with a new standby) SIGKILL.
        const lease = () =>
          kube.get<Lease>(
            coreResources.leases,
            config.controller.leaseNamespace,
            config.controller.leaseName,
          );
        let leader = { id: "bench-a", process: controller };
        for (const [i, signal] of (["SIGTERM", "SIGKILL", "SIGTERM", "SIGKILL"] as const).entries()) {
          const id = `bench-${String.fromCharCode(98 + i)}`;
          const standby = start("controller", { SLIPWAY_IDENTITY: id });
          components.push(standby);
          await untilHolder(lease, leader.id);
          await sleep(2_000); // the standby reads the Lease and stands by
          const t = Date.now();
          leader.process.child.kill(signal);
          await untilHolder(lease, id);
          const takeoverMs = Date.now() - t;
          const exitedAt = await leader.process.exited;
          console.log(
            `  controller ${signal}: the standby led ${seconds(takeoverMs)} after the signal` +
              (signal === "SIGTERM"
                ? ` (the leader exited ${leader.process.child.exitCode} in ${seconds(exitedAt - t)})`
                : ""),
          );
          leader = { id, process: standby };
        }
        await Promise.all(
          names.map((name) => kube.delete(clusterDeploymentResource, ns, name).catch(() => undefined)),
        );
        await untilGone(kube, ns, names);
      } finally {
        for (const c of components)
          if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGTERM");
        await Promise.all(components.map((c) => Promise.race([c.exited, sleep(20_000)])));
        await queue.close();
        connection.disconnect();
      }
    },
    { components: false },
  );
  return 0;
}

function startComponent(name: "controller" | "worker", logFile: string, env: NodeJS.ProcessEnv): Component {
  const child = spawn(process.execPath, [join(distDir, "src", "cli", "main.js"), name], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return { child, logFile, exited: once(child, "exit").then(() => Date.now()) };
}

async function untilLogged(component: Component, text: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(existsSync(component.logFile) && readFileSync(component.logFile, "utf8").includes(text))) {
    if (Date.now() > deadline) throw new Error(`${component.logFile} did not log ${text} within 120 s`);
    await sleep(50);
  }
}

/** Redis's clock in ms: the event stream's ids are on it. */
async function redisNow(redis: RedisConnection): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

/** Waits until `count` jobs are active with the engine creating their control planes. */
async function untilAllCreating(queue: Queue<JobData>, count: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const active = await queue.getJobs(["active"]);
    const creating = active.filter((j) =>
      (j?.progress as StackJobProgress | undefined)?.currentStep?.startsWith(
        "creating simulated:ControlPlane",
      ),
    );
    if (creating.length === count) return;
    await sleep(50);
  }
  throw new Error(`the ${count} jobs were not all creating within 300 s`);
}

/**
 * Per job, from the queue's event stream after `since`: when it was waiting again and when it was active again,
 * in ms after `since`. Waits until every job was taken again.
 */
async function handBackTimes(
  redis: RedisConnection,
  prefix: string,
  since: number,
  count: number,
): Promise<{ waiting: number[]; active: number[] }> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const entries = (await redis.xrange(`${prefix}:${PULUMI_QUEUE}:events`, String(since), "+")) as [
      string,
      string[],
    ][];
    const waiting = new Map<string, number>();
    const active = new Map<string, number>();
    for (const [id, fields] of entries) {
      const at = Number(id.split("-")[0]) - since;
      const f = Object.fromEntries(
        fields.flatMap((v, i, all) => (i % 2 === 0 ? [[v, all[i + 1]!] as const] : [])),
      );
      if (f.event === "waiting" && !waiting.has(f.jobId!)) waiting.set(f.jobId!, at);
      if (f.event === "active" && waiting.has(f.jobId!) && !active.has(f.jobId!)) active.set(f.jobId!, at);
    }
    if (active.size >= count) return { waiting: [...waiting.values()], active: [...active.values()] };
    if (Date.now() > deadline)
      throw new Error(`only ${active.size} of ${count} jobs were taken again within 120 s of SIGTERM`);
    await sleep(100);
  }
}

async function untilHolder(lease: () => Promise<Lease>, identity: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await lease().catch(() => undefined))?.spec?.holderIdentity !== identity) {
    if (Date.now() > deadline) throw new Error(`${identity} did not hold the Lease within 120 s`);
    await sleep(20);
  }
}

async function untilReady(kube: KubeClient, ns: string, names: string[]): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const items = (await kube.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns })).items;
    if (
      names.every((n) =>
        isReady(
          items.find((cd) => cd.metadata?.name === n),
          "Running",
        ),
      )
    )
      return;
    if (Date.now() > deadline) throw new Error("the clusters were not all Ready within 600 s");
    await sleep(250);
  }
}

async function untilGone(kube: KubeClient, ns: string, names: string[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await kube.list(clusterDeploymentResource, { namespace: ns })).items.length > 0) {
    if (Date.now() > deadline) throw new Error(`${names.length} clusters were not deleted within 120 s`);
    await sleep(250);
  }
}

/** "1.20-1.90 s (median 1.50 s)" */
function range(ms: number[]): string {
  if (ms.length === 0) return "none";
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `${(sorted[0]! / 1000).toFixed(2)}-${seconds(sorted.at(-1)!)} (median ${seconds(median)})`;
}
