import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig } from "@kubernetes/client-node";
import { freePort } from "../../local/processes.js";
import { logger } from "../../runtime/logging.js";
import { KubeClient } from "../../runtime/kube-client.js";
import { ownerAlive, processIdentity, RUN_OWNER_ENV, RUN_STATE_DIR_ENV } from "../../queue/process-tree.js";
import { AGENT_NAMESPACE } from "./names.js";
import { dataFolderRoots } from "../../../stacks/index.js";

const log = logger("registration.local-agent");

/** What a local cluster's registration folder says about its agent; the supervisor acts on it (level-based). */
export interface AgentIntent {
  desired: "running" | "stopped";
  clusterName: string;
}

/** Who runs the agent now, so a second worker on the same state folder does not start another. */
interface AgentHolder {
  owner: string;
  pid: number;
}

export interface LocalAgentsOptions {
  /** The worker's state folder: the platforms' data folders (dataFolderRoots) hold their clusters' agents. */
  stateDir: string;
  /** The OCM registration binary (tools/bin/ocm-registration). */
  binary: string;
  /** How often the folders are looked at again (agents of a previous worker, desired changes). */
  scanIntervalMs?: number;
  /** Restart backoff: base doubles per quick exit up to the cap. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Whether the spoke's API answers; by default its /livez through the cluster's admin kubeconfig. */
  spokeLive?: (kubeconfig: string) => Promise<boolean>;
}

interface Supervised {
  dir: string;
  child?: ChildProcess;
  stopping: boolean;
  done: Promise<void>;
}

/** The registration folder of a local cluster's data folder. */
export function registrationDir(clusterDataDir: string): string {
  return join(clusterDataDir, "registration");
}

export async function writeIntent(dir: string, intent: AgentIntent): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, "agent.json"), JSON.stringify(intent), { mode: 0o600 });
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/**
 * Agents running for `dir`, found by their command line (whichever worker started them, even once the folder
 * is gone): what must not outlive a deregistered or destroyed cluster.
 */
export function agentPids(dir: string): number[] {
  const needle = `--hub-kubeconfig-dir=${join(dir, "hub-kubeconfig")}\0`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (`${readFileSync(`/proc/${entry}/cmdline`, "utf8")}`.includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Whether the cluster's API server answers /livez (it answers "ok", not JSON: a parse error means 200). */
async function livez(kubeconfig: string): Promise<boolean> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const client = new KubeClient(kc, { requestTimeoutMs: 3_000 });
  try {
    await client.request<unknown>("GET", "/livez").catch((error: unknown) => {
      if (!(error instanceof SyntaxError)) throw error;
    });
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/** Whether a live process (this worker's or another's) runs the agent of `dir`. Synchronous on purpose. */
export function agentHolder(dir: string): AgentHolder | undefined {
  let holder: AgentHolder;
  try {
    holder = JSON.parse(readFileSync(join(dir, "agent.pid"), "utf8")) as AgentHolder;
  } catch {
    return undefined;
  }
  if (!ownerAlive(holder.owner)) return undefined;
  try {
    process.kill(holder.pid, 0);
    return holder;
  } catch {
    return undefined;
  }
}

/**
 * OCM's registration agent beside each local cluster, supervised by the worker. The worker is the one Slipway
 * process that runs beside local clusters for their whole life and already owns their spoke jobs; the stack's
 * dynamic provider only lives for a Pulumi run, and a detached process would have nobody to restart it. So:
 * a register job writes the intent (agent.json) and the bootstrap kubeconfig into the cluster's registration
 * folder; this supervisor starts the agent once the spoke's /livez answers, restarts it with capped backoff
 * when it exits, and stops it when the intent says stopped (hibernation), the intent goes (deregistration) or
 * the folder goes (destroy). Each agent carries the worker's SLIPWAY_RUN_OWNER marker, so if the worker dies the
 * next one's orphan reaper ends it (and, reading the intents, starts it again).
 */
export class LocalAgents {
  private readonly owner = processIdentity() ?? `pid/${process.pid}`;
  private readonly stateDir: string;
  private readonly supervised = new Map<string, Supervised>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: LocalAgentsOptions) {
    this.stateDir = resolve(opts.stateDir);
  }

  /** Starts the periodic scan (agents a previous worker ran come back). */
  start(): void {
    void this.scan();
    this.timer = setInterval(() => void this.scan(), this.opts.scanIntervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Acts on the intent of one folder now. */
  async reconcile(dir: string): Promise<void> {
    if (this.closed) return;
    const intent = await readJson<AgentIntent>(join(dir, "agent.json"));
    const current = this.supervised.get(dir);
    if (intent?.desired !== "running") {
      if (current) await this.stop(current);
      return;
    }
    if (current) return;
    // No await from the lookup above to the set below: two passes over one folder never start two agents.
    const holder = agentHolder(dir);
    if (holder && holder.owner !== this.owner) return; // another worker runs it
    const entry: Supervised = { dir, stopping: false, done: Promise.resolve() };
    this.supervised.set(dir, entry);
    entry.done = this.supervise(entry, intent).catch((error: unknown) =>
      log.error({ dir, err: (error as Error).message }, "Agent supervision failed"),
    );
  }

  /** Stops supervising every agent and ends them; intents stay, so the next worker starts them again. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([...this.supervised.values()].map((entry) => this.stop(entry)));
  }

  /** The pid of the agent this worker runs for `dir`, if any. */
  pidOf(dir: string): number | undefined {
    return this.supervised.get(dir)?.child?.pid;
  }

  private async scan(): Promise<void> {
    const dirs = dataFolderRoots(this.stateDir).flatMap((clusters) =>
      existsSync(clusters) ? readdirSync(clusters).map((name) => registrationDir(join(clusters, name))) : [],
    );
    for (const dir of new Set([...dirs, ...this.supervised.keys()])) {
      await this.reconcile(dir).catch(() => undefined);
    }
  }

  private async stop(entry: Supervised): Promise<void> {
    entry.stopping = true;
    const child = entry.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const exited = new Promise((r) => child.once("exit", r));
      if ((await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)])) === false) {
        child.kill("SIGKILL");
        await exited;
      }
    }
    await entry.done;
    this.supervised.delete(entry.dir);
    await rm(join(entry.dir, "agent.pid"), { force: true });
  }

  private async supervise(entry: Supervised, intent: AgentIntent): Promise<void> {
    const { dir } = entry;
    const clusterDir = resolve(dir, "..");
    const spokeKubeconfig = join(clusterDir, "admin.kubeconfig");
    let failures = 0;
    while (!entry.stopping && existsSync(dir)) {
      if (!(await this.waitForLivez(entry, spokeKubeconfig))) break;
      const started = Date.now();
      const code = await this.runOnce(entry, intent, spokeKubeconfig);
      if (entry.stopping || !existsSync(dir)) break;
      failures = Date.now() - started > 60_000 ? 1 : failures + 1;
      const delay = Math.min(
        this.opts.backoffCapMs ?? 30_000,
        (this.opts.backoffBaseMs ?? 1_000) * 2 ** (failures - 1),
      );
      log.warn(
        { cluster: intent.clusterName, code, retryInMs: delay },
        "OCM agent exited; restarting with backoff",
      );
      await this.sleepUnlessStopping(entry, delay);
    }
    if (!entry.stopping) this.supervised.delete(dir); // the folder went (destroy): nothing left to run
  }

  /** Polls the spoke's /livez until it answers; false when supervision ended meanwhile. */
  private async waitForLivez(entry: Supervised, kubeconfig: string): Promise<boolean> {
    const live = this.opts.spokeLive ?? livez;
    while (!entry.stopping && existsSync(entry.dir)) {
      if (await live(kubeconfig).catch(() => false)) return true;
      await this.sleepUnlessStopping(entry, 1_000);
    }
    return false;
  }

  private async runOnce(
    entry: Supervised,
    intent: AgentIntent,
    spokeKubeconfig: string,
  ): Promise<number | null> {
    const { dir } = entry;
    const tmp = join(dir, "tmp");
    await rm(tmp, { recursive: true, force: true }); // serving certificates of earlier runs
    await mkdir(tmp, { recursive: true, mode: 0o700 });
    await mkdir(join(dir, "hub-kubeconfig"), { recursive: true, mode: 0o700 });
    if (!existsSync(this.opts.binary)) {
      log.error(
        { binary: this.opts.binary },
        "OCM's registration agent is not built: run `bash tools/build.sh`",
      );
      return null;
    }
    const port = await freePort();
    const logFd = openSync(join(dir, "agent.log"), "a");
    const child = spawn(
      this.opts.binary,
      [
        "agent",
        `--kubeconfig=${spokeKubeconfig}`,
        `--bootstrap-kubeconfig=${join(dir, "bootstrap.kubeconfig")}`,
        `--hub-kubeconfig-dir=${join(dir, "hub-kubeconfig")}`,
        `--spoke-cluster-name=${intent.clusterName}`,
        `--listen=127.0.0.1:${port}`,
        "--disable-leader-election",
        `--namespace=${AGENT_NAMESPACE}`,
        "--cluster-healthcheck-period=10s",
      ],
      {
        stdio: ["ignore", logFd, logFd],
        // Only what the agent needs: never the worker's secrets (passphrase, tokens).
        env: {
          PATH: "/usr/local/bin:/usr/bin:/bin",
          TMPDIR: tmp,
          HOME: dir,
          [RUN_OWNER_ENV]: this.owner,
          [RUN_STATE_DIR_ENV]: this.stateDir,
        },
      },
    );
    closeSync(logFd);
    entry.child = child;
    const exited = new Promise<number | null>((r) => {
      child.once("exit", (code) => r(code));
      child.once("error", () => r(null)); // could not start: retried with backoff like an exit
    });
    if (child.pid !== undefined) {
      await writeFile(join(dir, "agent.pid"), JSON.stringify({ owner: this.owner, pid: child.pid }), {
        mode: 0o600,
      });
      log.info({ cluster: intent.clusterName, pid: child.pid, port }, "Started OCM's registration agent");
    }
    return exited;
  }

  private async sleepUnlessStopping(entry: Supervised, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!entry.stopping && Date.now() < until) await sleep(Math.min(200, until - Date.now()));
  }
}
