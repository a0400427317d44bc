import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { distDir } from "../../src/runtime/paths.js";

/**
 * A Node script run as "another host": its own UTS namespace (`unshare --uts`) with the host name `hostname`, so
 * host-scoped identities (Pulumi lock owners, stack leases) differ from this process's. Detached: kill it with
 * `process.kill(-child.pid, ...)`. `output()` is everything it printed so far.
 */
export function spawnOnOtherHost(
  script: string,
  hostname = "worker-elsewhere",
): { child: ChildProcess; output: () => string } {
  const child = spawn(
    "unshare",
    ["--uts", "sh", "-c", `hostname ${hostname} && exec "${process.execPath}" "${script}"`],
    { detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return { child, output: () => out };
}

/**
 * The stack's checkpoint in the file backend under `stateDir` records a create still pending: the CLI writes it
 * before it calls the provider, so a run seen here is past that write.
 */
export function checkpointHasPendingCreate(stateDir: string, stackName: string): boolean {
  try {
    const file = join(stateDir, "pulumi", ".pulumi", "stacks", "slipway", `${stackName}.json`);
    const checkpoint = JSON.parse(readFileSync(file, "utf8")) as {
      checkpoint?: { latest?: { pending_operations?: { type?: string }[] } };
    };
    return (checkpoint.checkpoint?.latest?.pending_operations ?? []).some((op) => op.type === "creating");
  } catch {
    return false;
  }
}

export interface OtherHostRun {
  child: ChildProcess;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  output: () => string;
}

/**
 * A worker on host "worker-elsewhere" running one `up` of the simulated platform through the compiled PulumiRunner
 * with its own stack lease (Redis), as a worker on another machine sharing the backend would. Its environment is
 * this process's (a backend's credentials included). Resolves once its create step runs and `pendingCreate` says
 * the CLI recorded the pending create in the backend, so a kill then tests a dead holder, not a checkpoint cut off
 * mid-write. It prints its progress and `RESULT <outputs>`.
 */
export async function startUpOnOtherHost(opts: {
  script: string;
  redisUrl: string;
  leases: { prefix: string; ttlMs: number };
  runner: { toolsBinDir: string; stateDir: string; passphrase: string; backendUrl?: string };
  stackName: string;
  inputs: unknown;
  pendingCreate: () => boolean | Promise<boolean>;
  /** Called with the process as soon as it starts, so a test can kill it whatever happens next. */
  onSpawn?: (child: ChildProcess) => void;
}): Promise<OtherHostRun> {
  const url = (file: string) => JSON.stringify(pathToFileURL(join(distDir, "src", "queue", file)).href);
  await writeFile(
    opts.script,
    `import { PulumiRunner } from ${url("pulumi-runner.js")};
import { StackLeases } from ${url("stack-lease.js")};
import { redisConnection } from ${url("redis.js")};
const redis = redisConnection(${JSON.stringify(opts.redisUrl)});
const leases = new StackLeases({ redis, ...${JSON.stringify(opts.leases)} });
const runner = new PulumiRunner({ ...${JSON.stringify(opts.runner)}, leases });
const result = await runner.run({
  platform: "simulated", stackName: ${JSON.stringify(opts.stackName)}, operation: "up", jobId: "job-a",
  inputs: ${JSON.stringify(opts.inputs)},
  onProgress: (p) => console.log(JSON.stringify(p)),
});
console.log("RESULT " + JSON.stringify(result.outputs));
redis.disconnect();
`,
  );
  const { child, output } = spawnOnOtherHost(opts.script);
  opts.onSpawn?.(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`other worker did not reach create:\n${output()}`)),
      90_000,
    );
    child.stdout!.on("data", () => {
      if (output().includes("creating simulated:ControlPlane")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`other worker exited (${code}):\n${output()}`)));
  });
  const deadline = Date.now() + 30_000;
  while (!(await opts.pendingCreate())) {
    if (Date.now() > deadline)
      throw new Error(`no pending create recorded for ${opts.stackName}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, exited, output };
}
