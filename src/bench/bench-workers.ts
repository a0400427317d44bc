import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import type { ClusterDeployment } from "../api/index.js";
import { clusterDeploymentResource, namespaceResource } from "../api/resources.js";
import { PULUMI_QUEUE, type JobData } from "../queue/job.js";
import { residentBytes } from "../local/processes.js";
import { redisConnection } from "../queue/redis.js";
import type { KubeClient } from "../runtime/kube-client.js";
import { configureLogging } from "../runtime/logging.js";
import { distDir } from "../runtime/paths.js";
import { isReady, seconds, withBenchEnvironment } from "./bench-environment.js";

/** One run of a stack as its job records it: which stack, when it ran, on which worker host. */
export interface StackRun {
  stack: string;
  startedAt: number;
  finishedAt: number;
}

/** Pairs of runs of the same stack whose times overlap: two operations at once on one stack. */
export function overlappingRuns(runs: StackRun[]): [StackRun, StackRun][] {
  const byStack = new Map<string, StackRun[]>();
  for (const run of runs) byStack.set(run.stack, [...(byStack.get(run.stack) ?? []), run]);
  const overlaps: [StackRun, StackRun][] = [];
  for (const list of byStack.values()) {
    const sorted = [...list].sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i]!.startedAt < sorted[i - 1]!.finishedAt) overlaps.push([sorted[i - 1]!, sorted[i]!]);
  }
  return overlaps;
}

/**
 * `slipway bench workers`: throughput of simulated provisioning with 1, 2, 3 ... worker processes, each on a
 * "machine" of its own (its own UTS namespace and host name, its own state folder), sharing one Redis and one
 * Pulumi backend (SLIPWAY_PULUMI_BACKEND_URL from the environment, e.g. s3:// on moto; otherwise a file backend in
 * the bench's folder that every worker is given). One controller process. For each worker count, `count`
 * ClusterDeployments are applied at once and timed to all Ready; then each stack's jobs are checked: one run
 * each, no two runs of a stack at the same time, no failed attempt.
 */
export async function benchWorkers(options: {
  count: number;
  workers: number[];
  concurrency: number;
  provisionSeconds: number;
  /** ClusterDeployments applied with no worker running, to size the controller and Redis by. 0: none. */
  sizing: number;
}): Promise<number> {
  configureLogging({ level: "warn" });
  let failures = 0;
  await withBenchEnvironment(
    async ({ config, kube, redisUrl, stateDir }) => {
      const passphrase = config.pulumi.passphrase ?? randomBytes(24).toString("base64url");
      const env = {
        ...process.env,
        SLIPWAY_KUBECONFIG: config.kubeconfig,
        KUBECONFIG: "",
        REDIS_URL: redisUrl,
        SLIPWAY_QUEUE_PREFIX: config.queuePrefix,
        SLIPWAY_LEADER_ELECTION: "false",
        SLIPWAY_PULUMI_BACKEND_URL: config.pulumi.backendUrl,
        SLIPWAY_PULUMI_PASSPHRASE: passphrase,
        SLIPWAY_WORKER_CONCURRENCY: String(options.concurrency),
        SLIPWAY_LOG_LEVEL: "info",
      };
      console.log(
        `workers: ${options.count} simulated clusters (provisionSeconds ${options.provisionSeconds}) per round, ` +
          `${options.concurrency} Pulumi runs at once per worker, backend ${config.pulumi.backendUrl.replace(/\?.*$/, "")}`,
      );
      const controller = await startComponent("controller", join(stateDir, "controller"), env);
      // BullMQ never closes a connection it was handed: this one is closed below.
      const connection = redisConnection(redisUrl);
      const queue = new Queue<JobData>(PULUMI_QUEUE, { connection, prefix: config.queuePrefix });
      queue.on("error", () => undefined);
      const rows: string[] = [];
      try {
        for (const n of options.workers) {
          const namespace = `workers-${n}`;
          await kube.create(namespaceResource, { metadata: { name: namespace } });
          const workers = await Promise.all(
            Array.from({ length: n }, (_, i) =>
              startComponent(
                "worker",
                join(stateDir, `round-${n}-worker-${i + 1}`),
                env,
                `bench-worker-${i + 1}`,
              ),
            ),
          );
          const started = Date.now();
          await Promise.all(
            Array.from({ length: options.count }, (_, i) =>
              kube.create(
                clusterDeploymentResource,
                simulated(namespace, `c-${i}`, options.provisionSeconds),
              ),
            ),
          );
          await allReady(kube, namespace, options.count);
          const elapsed = Date.now() - started;
          const workerUsage = workers.map((w) => w.usage());
          await Promise.all(workers.map((w) => w.stop()));
          const runs = await runsIn(queue, namespace);
          const overlaps = overlappingRuns(runs.map((r) => r.run));
          const retried = runs.filter((r) => r.attempts > 1 || r.failed).length;
          const perHost = workers.map((w) => w.runsLogged()).join("/");
          const perMinute = (options.count / elapsed) * 60_000;
          if (overlaps.length > 0 || runs.length !== options.count) failures += 1;
          rows.push(
            `${n} worker(s): ${options.count} Ready in ${seconds(elapsed)}: ${perMinute.toFixed(1)} clusters/min; ` +
              `runs per worker ${perHost}; ${runs.length} jobs, ${overlaps.length} overlapping runs of a stack, ` +
              `${retried} retried`,
          );
          console.log(rows.at(-1));
          const cpu = workerUsage.reduce((sum, u) => sum + u.cpuSeconds, 0);
          const rss = Math.max(...workerUsage.map((u) => u.rssBytes));
          console.log(
            `  worker CPU ${(cpu / options.count).toFixed(2)} s per provision; largest worker RSS ${mib(rss)} ` +
              `with ${options.concurrency} runs at once`,
          );
        }
        if (options.sizing > 0) await sizing(kube, controller, redisUrl, options.sizing);
      } finally {
        await controller.stop();
        await queue.close();
        connection.disconnect();
      }
      console.log(`\nworkers on several machines (one Redis, one backend):\n  ${rows.join("\n  ")}`);
    },
    { components: false },
  );
  return failures > 0 ? 1 : 0;
}

/**
 * Sizes the controller and Redis by a fleet: `count` ClusterDeployments applied with no worker running, so each is
 * reconciled, its job queued and left waiting in Redis (the state with the most keys per cluster). Prints the
 * controller's RSS and CPU and Redis's memory before and after.
 */
async function sizing(
  kube: KubeClient,
  controller: Component,
  redisUrl: string,
  count: number,
): Promise<void> {
  const namespace = "sizing";
  await kube.create(namespaceResource, { metadata: { name: namespace } });
  const redis = redisConnection(redisUrl);
  try {
    const redisMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? 0);
    const before = { controller: controller.usage(), redis: await redisMemory() };
    const started = Date.now();
    for (let i = 0; i < count; i += 50)
      await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, (_, j) =>
          kube.create(clusterDeploymentResource, simulated(namespace, `s-${i + j}`, 1)),
        ),
      );
    // Every cluster reconciled: its operation recorded InProgress (its job queued).
    for (;;) {
      const cds = await kube.list<ClusterDeployment>(clusterDeploymentResource, { namespace });
      if (cds.items.filter((cd) => cd.status?.stack?.result === "InProgress").length >= count) break;
      if (Date.now() - started > 900_000) throw new Error("the sizing fleet was not reconciled in 15 min");
      await sleep(2_000);
    }
    const burst = controller.usage();
    const reconciled = Date.now() - started;
    await sleep(60_000);
    const idle = controller.usage();
    const after = await redisMemory();
    const per1000 = (n: number) => (n / count) * 1000;
    console.log(
      `\nsizing, ${count} ClusterDeployments, each with its job waiting in Redis (no worker):\n` +
        `  controller: RSS ${mib(before.controller.rssBytes)} -> ${mib(idle.rssBytes)} ` +
        `(+${mib(per1000(idle.rssBytes - before.controller.rssBytes))} per 1,000); ` +
        `${(burst.cpuSeconds - before.controller.cpuSeconds).toFixed(1)} CPU s to reconcile them all in ${seconds(reconciled)}; ` +
        `${((idle.cpuSeconds - burst.cpuSeconds) / 60).toFixed(3)} CPU s/s idle after\n` +
        `  Redis: used_memory ${mib(before.redis)} -> ${mib(after)} (+${mib(per1000(after - before.redis))} per 1,000)`,
    );
  } finally {
    redis.disconnect();
  }
}

interface Usage {
  rssBytes: number;
  cpuSeconds: number;
}

function processUsage(pid: number | undefined): Usage {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime, stime, then cutime and cstime, the CPU of
    // children that ended (a worker's Pulumi CLIs, and their plugins through them).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return { rssBytes: residentBytes(pid) ?? 0, cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return { rssBytes: 0, cpuSeconds: 0 };
  }
}

/** USER_HZ: /proc reports CPU time in these on every Linux Slipway runs on. */
const CLOCK_TICKS = 100;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A simulated ClusterDeployment whose only slow phase is provisioning, registration off. */
export function simulated(namespace: string, name: string, provisionSeconds: number): ClusterDeployment {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name, namespace },
    spec: {
      clusterName: `${namespace}-${name}`,
      registration: { enabled: false },
      platform: {
        simulated: {
          provisionSeconds,
          hibernateSeconds: 0,
          resumeSeconds: 0,
          destroySeconds: 0,
          jitterPercent: 0,
        },
      },
    },
  } as ClusterDeployment;
}

async function allReady(kube: KubeClient, namespace: string, count: number): Promise<void> {
  const deadline = Date.now() + Math.max(600_000, count * 20_000);
  for (;;) {
    const cds = await kube.list<ClusterDeployment>(clusterDeploymentResource, { namespace });
    const ready = cds.items.filter((cd) => isReady(cd, "Running")).length;
    if (ready >= count) return;
    if (Date.now() > deadline)
      throw new Error(`${ready} of ${count} clusters in ${namespace} Ready at the deadline`);
    await sleep(500);
  }
}

/** The provisioning jobs of the round's clusters, as BullMQ recorded them (first to last attempt). */
async function runsIn(
  queue: Queue<JobData>,
  namespace: string,
): Promise<{ run: StackRun; attempts: number; failed: boolean }[]> {
  const jobs = await queue.getJobs(["completed", "failed", "active", "waiting", "delayed"], 0, -1);
  return jobs
    .filter((job) => job?.data.namespace === namespace)
    .map((job) => ({
      run: {
        stack: `${job.data.namespace}/${job.data.name}`,
        startedAt: job.processedOn ?? 0,
        finishedAt: job.finishedOn ?? Number.MAX_SAFE_INTEGER,
      },
      attempts: job.attemptsMade,
      failed: job.failedReason !== undefined,
    }));
}

interface Component {
  stop(): Promise<void>;
  /** Resident memory and CPU time (user + system, its ended children's included) so far, from /proc. */
  usage(): Usage;
  /** How many runs the process logged starting ("Running up for generation ..."). */
  runsLogged(): number;
}

/**
 * `slipway controller` or `slipway worker` from dist/, in its own state folder; a worker given a host name runs in
 * its own UTS namespace (`unshare --uts`), as on another machine: Pulumi's lock owner and the stack lease's holder
 * name that host.
 */
async function startComponent(
  name: "controller" | "worker",
  dir: string,
  env: NodeJS.ProcessEnv,
  host?: string,
): Promise<Component> {
  const main = join(distDir, "src", "cli", "main.js");
  const command = [process.execPath, main, name];
  const [program, ...args] = host
    ? ["unshare", "--uts", "--", "sh", "-c", 'hostname "$0" && exec "$@"', host, ...command]
    : command;
  let runs = 0;
  let exited = false;
  await mkdir(dir, { recursive: true });
  const child: ChildProcess = spawn(program!, args, {
    env: { ...env, SLIPWAY_STATE_DIR: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.once("exit", () => (exited = true));
  const log = createWriteStream(join(dir, `${name}.log`));
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  child.stdout!.on(
    "data",
    (d: Buffer) => (runs += (d.toString().match(/"Running up for generation/g) ?? []).length),
  );
  return {
    usage: () => processUsage(child.pid),
    runsLogged: () => runs,
    stop: async () => {
      if (exited) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
