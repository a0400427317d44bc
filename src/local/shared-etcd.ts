import { existsSync } from "node:fs";
import { mkdir, open, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, isAlive, startProcess, stopProcess, tail, type RecordedProcess } from "./processes.js";

export interface SharedEtcdOptions {
  /** Holds the etcd data, its log, state.json and members.json; removed when the last member leaves. */
  dir: string;
  /** Folder with the etcd binary (tools/bin). */
  binDir: string;
  readyTimeoutMs?: number;
  /** How long to wait for another process's lock before giving up. */
  lockTimeoutMs?: number;
}

/** What a member of the shared etcd (one hosted control plane) wants of it. */
export type MemberState = "Running" | "Hibernating";

interface EtcdState {
  clientPort: number;
  peerPort: number;
  process?: RecordedProcess;
}

/**
 * One etcd for many hosted control planes on this machine, each under its own key prefix (Kamaji's shared
 * datastore). Who starts and stops it is decided by its members, recorded in members.json under a lock file that
 * every process (the Pulumi dynamic-provider processes of concurrent runs, a restarted worker) takes first:
 * - the first member that wants to run starts it (detached: it outlives the run and the worker, like a local
 *   cluster's processes, and is found again by its recorded pid and command line);
 * - it keeps running while any member runs; when the last running member hibernates it stops, data kept;
 * - when the last member leaves (its cluster deleted), it stops and its folder is removed.
 * A lock left by a process that died is taken over.
 */
export class SharedEtcd {
  private readonly statePath: string;
  private readonly membersPath: string;
  private readonly lockPath: string;

  constructor(private readonly opts: SharedEtcdOptions) {
    this.statePath = join(opts.dir, "state.json");
    this.membersPath = join(opts.dir, "members.json");
    // Beside the folder, not in it: the folder is removed while the lock is held.
    this.lockPath = `${opts.dir}.lock`;
  }

  /** Records the member as running and starts etcd if it is not; returns the client URL. */
  async join(member: string, signal?: AbortSignal): Promise<string> {
    return this.locked(async () => {
      await this.setMember(member, "Running");
      return this.ensureRunning(signal);
    });
  }

  /** The member hibernates: its keys stay; etcd stops when no member runs any more. */
  async hibernate(member: string): Promise<void> {
    await this.locked(async () => {
      await this.setMember(member, "Hibernating");
      if (!Object.values(await this.members()).includes("Running")) await this.stopProcess();
    });
  }

  /**
   * The member is deleted: its keys (everything under `prefix`) are removed, etcd started for that if it must be,
   * and the member forgotten. The last member to leave stops etcd and removes its folder.
   */
  async leave(member: string, prefix: string): Promise<void> {
    await this.locked(async () => {
      const members = await this.members();
      const others = Object.entries(members).filter(([name]) => name !== member);
      if (others.length === 0) {
        await this.stopProcess();
        await rm(this.opts.dir, { recursive: true, force: true });
        return;
      }
      const url = await this.ensureRunning();
      await deletePrefix(url, prefix);
      delete members[member];
      await writeFile(this.membersPath, JSON.stringify(members, null, 2));
      if (!others.some(([, state]) => state === "Running")) await this.stopProcess();
    });
  }

  /** Keys under a prefix (for tests and `leave`'s callers that check what is left). */
  async countKeys(prefix: string): Promise<number> {
    const url = await this.url();
    if (!url) return 0;
    const res = await fetch(`${url}/v3/kv/range`, {
      method: "POST",
      body: JSON.stringify({ ...prefixRange(prefix), count_only: true }),
    });
    if (!res.ok) throw new Error(`etcd range on ${url} answered ${res.status}`);
    return Number(((await res.json()) as { count?: string }).count ?? 0);
  }

  /** The client URL while etcd runs; undefined when it does not. */
  async url(): Promise<string | undefined> {
    const state = await this.readState();
    return state?.process && isAlive(state.process) ? clientURL(state.clientPort) : undefined;
  }

  /** The members and what each wants; empty when nothing was ever recorded. */
  async members(): Promise<Record<string, MemberState>> {
    if (!existsSync(this.membersPath)) return {};
    return JSON.parse(await readFile(this.membersPath, "utf8")) as Record<string, MemberState>;
  }

  /** The etcd process, when it was started (alive or not). */
  async process(): Promise<RecordedProcess | undefined> {
    return (await this.readState())?.process;
  }

  private async setMember(member: string, state: MemberState): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    const members = await this.members();
    members[member] = state;
    await writeFile(this.membersPath, JSON.stringify(members, null, 2));
  }

  private async ensureRunning(signal?: AbortSignal): Promise<string> {
    const previous = await this.readState();
    if (previous?.process && isAlive(previous.process)) return clientURL(previous.clientPort);
    await mkdir(join(this.opts.dir, "logs"), { recursive: true });
    // The same ports as before when free: running API servers of hibernated members find it where they left it.
    const clientPort = await freePort(previous?.clientPort);
    let peerPort = await freePort(previous?.peerPort);
    while (peerPort === clientPort) peerPort = await freePort();
    const url = clientURL(clientPort);
    const peer = `http://127.0.0.1:${peerPort}`;
    const { record } = startProcess({
      name: "etcd",
      command: join(this.opts.binDir, "etcd"),
      args: [
        "--name=shared",
        `--data-dir=${join(this.opts.dir, "data")}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=shared=${peer}`,
        "--log-level=warn",
        "--quota-backend-bytes=4294967296",
      ],
      logFile: join(this.opts.dir, "logs", "etcd.log"),
      marker: this.opts.dir,
      detached: true,
    });
    await this.writeState({ clientPort, peerPort, process: record });
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      if (await healthy(url)) return url;
      if (!isAlive(record))
        throw new Error(`the shared etcd exited while starting; last log lines:\n${tail(record.logFile)}`);
      await sleep(100);
    }
    throw new Error(`the shared etcd was not ready within ${this.opts.readyTimeoutMs ?? 60_000} ms`);
  }

  private async stopProcess(): Promise<void> {
    const state = await this.readState();
    if (!state?.process) return;
    await stopProcess(state.process);
    await this.writeState({ clientPort: state.clientPort, peerPort: state.peerPort });
  }

  private async readState(): Promise<EtcdState | undefined> {
    if (!existsSync(this.statePath)) return undefined;
    return JSON.parse(await readFile(this.statePath, "utf8")) as EtcdState;
  }

  private async writeState(state: EtcdState): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    await writeFile(this.statePath, JSON.stringify(state, null, 2));
  }

  /** Runs `fn` holding the lock file (created exclusively, with our pid); a dead holder's lock is taken over. */
  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.opts.lockTimeoutMs ?? 120_000);
    await mkdir(dirname(this.lockPath), { recursive: true });
    for (;;) {
      try {
        const handle = await open(this.lockPath, "wx");
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = Number(await readFile(this.lockPath, "utf8").catch(() => "0"));
        if (holder > 0 && !pidAlive(holder)) {
          await unlink(this.lockPath).catch(() => undefined);
          continue;
        }
        if (Date.now() > deadline)
          throw new Error(`the shared etcd's lock ${this.lockPath} is held by process ${holder}`);
        await sleep(50);
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(this.lockPath).catch(() => undefined);
    }
  }
}

function clientURL(port: number): string {
  return `http://127.0.0.1:${port}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** etcd's v3 range for every key that starts with `prefix`, base64 as its gRPC gateway wants. */
function prefixRange(prefix: string): { key: string; range_end: string } {
  const key = Buffer.from(prefix);
  const end = Buffer.from(key);
  end[end.length - 1] = end[end.length - 1]! + 1; // prefixes end in "/", never 0xff
  return { key: key.toString("base64"), range_end: end.toString("base64") };
}

/** Deletes every key under `prefix` through etcd's gRPC gateway (no etcdctl is built). */
export async function deletePrefix(url: string, prefix: string): Promise<number> {
  if (!prefix.endsWith("/") || prefix === "/") throw new Error(`refusing to delete etcd prefix "${prefix}"`);
  const res = await fetch(`${url}/v3/kv/deleterange`, {
    method: "POST",
    body: JSON.stringify(prefixRange(prefix)),
  });
  if (!res.ok) throw new Error(`etcd deleterange on ${url} answered ${res.status}: ${await res.text()}`);
  return Number(((await res.json()) as { deleted?: string }).deleted ?? 0);
}
