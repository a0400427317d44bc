import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { distDir } from "../../src/runtime/paths.js";
import { hubKubeconfigPath, kubectl, testRedisUrl, testStateDir } from "./hub.js";

/** A real `slipway controller` or `slipway worker` process (compiled CLI) against the shared test hub. */
export class ComponentProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(
    readonly name: "controller" | "worker",
    private readonly env: Record<string, string>,
    /** Where the process's stdout and stderr go (one JSON log line each). */
    readonly logFile: string,
    /** A command that runs the process, e.g. `unshare --uts ...` for another hostname; it must exec it. */
    private readonly wrapper: readonly string[] = [],
  ) {}

  start(): this {
    const main = join(distDir, "src", "cli", "main.js");
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build before the tests`);
    const log = createWriteStream(this.logFile, { flags: "a" });
    const [command, ...args] = [...this.wrapper, process.execPath, main, this.name];
    const child = spawn(command!, args, {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How the process ended (exit code, or the signal that ended it); undefined while it runs. */
  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    if (!this.child || (this.child.exitCode === null && this.child.signalCode === null)) return undefined;
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  /** Everything the process logged so far ("" before its first line). */
  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, "utf8") : "";
  }

  /** Sends the signal and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await Promise.race([this.exited, sleep(15_000)]);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}

export interface SlipwayUnderTest {
  stateDir: string;
  /**
   * The namespace made for this Slipway, the one its controller reconciles (SLIPWAY_WATCH_NAMESPACES): what
   * other test files leave on the shared hub is none of its business, and files can run side by side.
   */
  namespace: string;
  /** The further namespaces it reconciles, by the label the test asked for them with. */
  otherNamespaces: Record<string, string>;
  env: Record<string, string>;
  controller(extraEnv?: Record<string, string>): ComponentProcess;
  worker(extraEnv?: Record<string, string>): ComponentProcess;
  stopAll(): Promise<void>;
}

/**
 * Everything one test file needs to run Slipway's own processes: its own state folder, BullMQ prefix, lease and
 * namespaces, so files never see each other's jobs or resources.
 */
export async function slipwayUnderTest(
  name: string,
  env: Record<string, string> = {},
  options: { otherNamespaces?: string[] } = {},
): Promise<SlipwayUnderTest> {
  const id = `${name}-${randomBytes(3).toString("hex")}`.toLowerCase();
  const stateDir = join(testStateDir(), id);
  await mkdir(join(stateDir, "logs"), { recursive: true });
  const namespace = id.slice(0, 63);
  const otherNamespaces = Object.fromEntries(
    (options.otherNamespaces ?? []).map((label) => [label, `${id}-${label}`.slice(0, 63)]),
  );
  for (const ns of [namespace, ...Object.values(otherNamespaces)]) {
    const created = await kubectl(["create", "namespace", ns]);
    if (created.code !== 0) throw new Error(`kubectl create namespace ${ns}: ${created.stderr}`);
  }
  const baseEnv: Record<string, string> = {
    SLIPWAY_STATE_DIR: stateDir,
    SLIPWAY_KUBECONFIG: hubKubeconfigPath(),
    REDIS_URL: testRedisUrl(),
    SLIPWAY_QUEUE_PREFIX: `t-${id}`,
    SLIPWAY_LEASE_NAME: `lease-${id}`,
    SLIPWAY_LOG_LEVEL: "info",
    SLIPWAY_WATCH_NAMESPACES: [namespace, ...Object.values(otherNamespaces)].join(","),
    ...env,
  };
  const started: ComponentProcess[] = [];
  let count = 0;
  const make = (kind: "controller" | "worker", extra: Record<string, string> = {}) => {
    count += 1;
    const p = new ComponentProcess(
      kind,
      { ...baseEnv, ...extra },
      join(stateDir, "logs", `${kind}-${count}.log`),
    ).start();
    started.push(p);
    return p;
  };
  return {
    stateDir,
    namespace,
    otherNamespaces,
    env: baseEnv,
    controller: (extra) => make("controller", extra),
    worker: (extra) => make("worker", extra),
    stopAll: async () => {
      await Promise.all(started.map((p) => p.stop()));
    },
  };
}

/**
 * Deletes the ClusterDeployments a test left in its namespace (a failed one leaves its clusters running) while the
 * controller and worker still run, so no local cluster outlives the test; then stops them.
 */
export async function deleteClustersThenStop(
  sut: SlipwayUnderTest,
  namespace: string | undefined,
): Promise<void> {
  if (namespace) await kubectl(["delete", "clusterdeployments", "--all", "-n", namespace, "--timeout=120s"]);
  await sut.stopAll();
}

/** Processes whose command line names `needle` (a cluster's data folder, say): e2e files check none is left. */
export { processesNaming } from "../../src/local/processes.js";

/** The stacks a worker's file backend holds under its state folder, by name. */
export function stacksIn(stateDir: string): string[] {
  const dir = join(stateDir, "pulumi", ".pulumi", "stacks");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/^.*\//, "").replace(/\.json$/, ""));
}
