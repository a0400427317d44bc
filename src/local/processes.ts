import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync, closeSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A program Slipway started, by pid, so another process (the CLI, a later worker) can find and stop it. */
export interface RecordedProcess {
  name: string;
  pid: number;
  /** A string the process's command line must contain: guards against a recycled pid. */
  marker: string;
  logFile: string;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  marker: string;
  /** Detached processes outlive the starter (dev up --detach, local clusters); attached ones die with it. */
  detached: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function startProcess(opts: StartOptions): { record: RecordedProcess; child: ChildProcess } {
  if (!existsSync(opts.command)) {
    throw new Error(`${opts.command} is missing: run \`bash tools/build.sh\` to build it`);
  }
  const log = openSync(opts.logFile, "a");
  const child = spawn(opts.command, opts.args, {
    detached: opts.detached,
    stdio: ["ignore", log, log],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  closeSync(log);
  if (opts.detached) child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${opts.name} (${opts.command})`);
  return { record: { name: opts.name, pid: child.pid, marker: opts.marker, logFile: opts.logFile }, child };
}

export function isAlive(p: RecordedProcess): boolean {
  try {
    process.kill(p.pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, "utf8");
    if (!cmdline.includes(p.marker)) return false;
    const stat = readFileSync(`/proc/${p.pid}/stat`, "utf8");
    return !/\) Z /.test(stat); // a zombie has exited
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after the grace period. Resolves once the process is gone. */
export async function stopProcess(p: RecordedProcess, graceMs = 10_000): Promise<void> {
  if (!isAlive(p)) return;
  try {
    process.kill(p.pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(p)) return;
    await sleep(100);
  }
  try {
    process.kill(p.pid, "SIGKILL");
  } catch {
    /* already gone */
  }
  while (isAlive(p)) await sleep(50);
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** A free TCP port on 127.0.0.1; `preferred` is kept when it is still free, so a restart keeps its URLs. */
export async function freePort(preferred?: number): Promise<number> {
  if (preferred && (await portIsFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** The pids of the processes whose command line names `needle` (a cluster's data folder, say), from /proc. */
export function processesNaming(needle: string): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A live process's resident memory (VmRSS) in bytes, from /proc; undefined when it is gone. */
export function residentBytes(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
