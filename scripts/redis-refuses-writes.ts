/*
 * Benchmark (a command that prints figures, not a test): the resident memory of a real `slipway worker` whose
 * Redis refuses every write, sampled over time.
 *
 *   npm run build && npx tsx scripts/redis-refuses-writes.ts [oom|misconf] [seconds]
 *
 * oom: `CONFIG SET maxmemory 1mb` with noeviction (writes fail with OOM). misconf: a bgsave that fails with
 * stop-writes-on-bgsave-error yes (writes fail with MISCONF). The worker starts with a few jobs queued, then
 * Redis stops taking writes; a worker that buffers what it cannot write grows, one that bounds it stays flat.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { PULUMI_QUEUE } from "../src/queue/job.js";
import { distDir } from "../src/runtime/paths.js";

const mode = (process.argv[2] ?? "oom") as "oom" | "misconf";
const seconds = Number(process.argv[3] ?? 60);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return line ? Math.round(Number(line[1]) / 1024) : NaN;
}

const dir = await mkdtemp(join(tmpdir(), "slipway-refuses-writes-"));
const children: ChildProcess[] = [];
try {
  const port = await freePort();
  const redisDir = join(dir, "redis");
  await mkdir(redisDir);
  children.push(
    spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", redisDir], {
      stdio: "ignore",
    }),
  );
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url);
  admin.on("error", () => undefined); // refused until redis-server listens
  await admin.ping();

  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    "apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: 'https://127.0.0.1:1'}}]\n" +
      "users: [{name: x, user: {token: x}}]\ncontexts: [{name: x, context: {cluster: x, user: x}}]\ncurrent-context: x\n",
  );
  const env = {
    ...process.env,
    REDIS_URL: url,
    SLIPWAY_STATE_DIR: join(dir, "state"),
    SLIPWAY_KUBECONFIG: kubeconfig,
    SLIPWAY_PULUMI_PASSPHRASE: "bench",
    SLIPWAY_LOG_LEVEL: "info",
  };
  const worker = spawn(process.execPath, [join(distDir, "src", "cli", "main.js"), "worker"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(worker);
  let logBytes = 0;
  worker.stdout!.on("data", (d: Buffer) => (logBytes += d.length));
  worker.stderr!.on("data", (d: Buffer) => (logBytes += d.length));
  const errFile = process.env.STDERR_FILE ? createWriteStream(process.env.STDERR_FILE) : undefined;
  if (errFile) worker.stderr!.pipe(errFile);
  let lastErr = "";
  worker.stderr!.on("data", (d: Buffer) => (lastErr = (lastErr + d.toString()).slice(-3000)));
  let lastLog = "";
  worker.stdout!.on("data", (d: Buffer) => (lastLog = (lastLog + d.toString()).slice(-3000)));

  let stdout = "";
  worker.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  for (let i = 0; i < 600 && !stdout.includes("Worker started"); i++) await sleep(100);
  await sleep(3_000);
  const before = rssMiB(worker.pid!);

  // A few jobs for resources the hub does not have, due in 2 s, when Redis refuses writes: the worker must
  // move them from delayed to active, which is a write.
  const queue = new Queue(PULUMI_QUEUE, {
    connection: new Redis(url, { maxRetriesPerRequest: null }),
    prefix: "slipway",
  });
  for (let i = 0; i < 5; i++)
    await queue.add(
      "up",
      {
        type: "cluster-deployment-stack",
        kind: "ClusterDeployment",
        namespace: "bench",
        name: `c${i}`,
        uid: `uid-${i}`,
        generation: 1,
        operation: "up",
      },
      { jobId: `uid-${i}.g1.up`, delay: 2_000 },
    );
  await queue.close();
  if (mode === "oom") {
    await admin.config("SET", "maxmemory-policy", "noeviction");
    await admin.config("SET", "maxmemory", "1mb");
  } else {
    await admin.config("SET", "save", "3600 1"); // Redis refuses writes only when it has save points
    await admin.config("SET", "stop-writes-on-bgsave-error", "yes");
    await rm(redisDir, { recursive: true, force: true }); // the next bgsave cannot write its file
    await admin.bgsave().catch(() => undefined);
    await sleep(1_000);
  }
  const refused = await admin.set("probe", "x").then(
    () => "writes still accepted",
    (e: Error) => e.message.split("\n")[0],
  );
  console.log(`mode ${mode}: Redis now answers a write with: ${refused}`);
  console.log(`worker rss before: ${before} MiB`);
  const samples: number[] = [];
  for (let t = 0; t < seconds; t += 5) {
    await sleep(5_000);
    samples.push(rssMiB(worker.pid!));
    console.log(`t=${t + 5}s rss=${samples.at(-1)} MiB log=${(logBytes / 1024).toFixed(0)} KiB`);
  }
  console.log(
    `worker rss: before ${before} MiB, after ${seconds}s of refused writes ${samples.at(-1)} MiB ` +
      `(max ${Math.max(...samples)} MiB); it logged ${(logBytes / 1024).toFixed(0)} KiB meanwhile`,
  );
  // Redis takes writes again: the worker must take the due jobs by itself (they fail on the absent hub).
  await admin.config("SET", "stop-writes-on-bgsave-error", "no");
  await admin.config("SET", "maxmemory", "0");
  const failedBefore = stdout.split("Job failed").length;
  // A job whose end could not be written stays active until its lock expires and the stalled check returns it.
  for (let i = 0; i < 150 && stdout.split("Job failed").length === failedBefore; i++) await sleep(1_000);
  console.log(
    stdout.split("Job failed").length > failedBefore
      ? "once Redis took writes again, the worker took the due jobs by itself"
      : "BUG: the worker took no job within 150 s of Redis taking writes again",
  );
  if (process.env.SHOW_LOG) console.log(`stdout: ${lastLog}\nstderr: ${lastErr}`);
  admin.disconnect();
} finally {
  for (const child of children.reverse()) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
}
