import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/*
 * Every process of a Pulumi run carries these variables: the CLI passes its environment on to the plugins it
 * starts (pulumi-resource-pulumi-nodejs puts itself in its own process group, so a process group cannot find
 * them), and they to their children. A process that carries them and whose owner is gone is an orphan.
 */
/** The worker process that started the run: `<host>/<pid namespace>/<pid>/<start time>`. */
export const RUN_OWNER_ENV = "SLIPWAY_RUN_OWNER";
/** The state folder of the run: a worker ends only the orphans of its own state folder. */
export const RUN_STATE_DIR_ENV = "SLIPWAY_RUN_STATE_DIR";
/** One run of the owner: its processes are ended when the run is interrupted or ends. */
export const RUN_ID_ENV = "SLIPWAY_RUN_ID";

/** A live process that carries a run's marker. */
export interface MarkedProcess {
  pid: number;
  /** Guards against a recycled pid between finding the process and signalling it. */
  startTime: string;
  owner: string;
  stateDir: string;
  runId?: string;
  command: string;
}

interface ProcStat {
  state: string;
  session: number;
  startTime: string;
}

/** The identity of a live process (this one by default), as RUN_OWNER_ENV records it; undefined without procfs. */
export function processIdentity(pid: number = process.pid): string | undefined {
  const stat = readStat(pid);
  const pidNamespace = readPidNamespace();
  if (!stat || !pidNamespace) return undefined;
  return `${hostname()}/${pidNamespace}/${pid}/${stat.startTime}`;
}

/**
 * Whether the owner named by RUN_OWNER_ENV still runs: true when it lives in another pid namespace (this process
 * cannot see it, so it cannot be proven dead) or when the marker cannot be read.
 */
export function ownerAlive(owner: string): boolean {
  const [pidNamespace, pid, startTime] = owner.split("/").slice(-3);
  if (!pidNamespace || !pid || !startTime || pidNamespace !== readPidNamespace()) return true;
  const stat = readStat(Number(pid));
  return stat !== undefined && stat.state !== "Z" && stat.startTime === startTime;
}

/**
 * Processes of this host carrying a run's marker. Leaves out processes that lead their own session and the members
 * of sessions a marked process started: those were detached on purpose (a local cluster's etcd and
 * kube-apiserver are meant to outlive the run, and are tracked in the cluster's data folder).
 */
export function markedProcesses(
  filter: { stateDir?: string; owner?: string; runId?: string } = {},
): MarkedProcess[] {
  const found: (MarkedProcess & { session: number })[] = [];
  for (const entry of listProc()) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const env = readMarker(pid);
    if (!env) continue;
    if (filter.stateDir !== undefined && env.stateDir !== filter.stateDir) continue;
    if (filter.owner !== undefined && env.owner !== filter.owner) continue;
    if (filter.runId !== undefined && env.runId !== filter.runId) continue;
    const stat = readStat(pid);
    if (!stat || stat.state === "Z") continue;
    found.push({ pid, startTime: stat.startTime, session: stat.session, ...env, command: readCommand(pid) });
  }
  const sessionStarters = new Set(found.map((p) => p.pid));
  return found.filter((p) => !sessionStarters.has(p.session)).map(({ session: _session, ...p }) => p);
}

/**
 * Ends processes: SIGTERM, then SIGKILL to those still running after graceMs. Resolves once all are gone (a
 * process that outlives SIGKILL by 5 s, stuck in the kernel, is given up on).
 */
export async function endProcesses(processes: readonly MarkedProcess[], graceMs: number): Promise<void> {
  const alive = () => processes.filter((p) => stillRunning(p));
  for (const p of alive()) signalProcess(p.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && alive().length > 0) await sleep(100);
  for (const p of alive()) signalProcess(p.pid, "SIGKILL");
  const killDeadline = Date.now() + 5_000;
  while (Date.now() < killDeadline && alive().length > 0) await sleep(50);
}

/**
 * Finds and ends the orphans of dead owners in one state folder: what a killed worker's Pulumi runs left running.
 * Returns what it ended, for the caller to log.
 */
export async function endOrphans(stateDir: string, graceMs = 5_000): Promise<MarkedProcess[]> {
  const orphans = markedProcesses({ stateDir: resolve(stateDir) }).filter((p) => !ownerAlive(p.owner));
  await endProcesses(orphans, graceMs);
  return orphans;
}

function stillRunning(p: MarkedProcess): boolean {
  const stat = readStat(p.pid);
  return stat !== undefined && stat.state !== "Z" && stat.startTime === p.startTime;
}

/** Sends a signal to a process that may already be gone. */
export function signalProcess(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

function listProc(): string[] {
  try {
    return readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return []; // no procfs: nothing can be found, nothing is ended
  }
}

function readMarker(pid: number): Omit<MarkedProcess, "pid" | "startTime" | "command"> | undefined {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, "utf8");
  } catch {
    return undefined; // gone, or another user's
  }
  if (!environ.includes(`${RUN_OWNER_ENV}=`)) return undefined;
  const vars = new Map<string, string>();
  for (const entry of environ.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  const owner = vars.get(RUN_OWNER_ENV);
  const stateDir = vars.get(RUN_STATE_DIR_ENV);
  if (!owner || !stateDir) return undefined;
  return { owner, stateDir, runId: vars.get(RUN_ID_ENV) };
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: the fields after its last ")" are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, session: Number(fields[3]), startTime: fields[19]! };
  } catch {
    return undefined;
  }
}

function readPidNamespace(): string | undefined {
  try {
    return /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1];
  } catch {
    return undefined;
  }
}

/** The program and its first argument only: later arguments of a provider's child could carry anything. */
function readCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, 2).join(" ").slice(0, 200);
  } catch {
    return "";
  }
}
