import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadConfig, type SlipwayConfig } from "../runtime/config.js";
import { crdDir, ocmCrdDir, ocmHubManifestDir } from "../runtime/paths.js";
import { LocalControlPlane } from "../local/control-plane.js";
import { isAlive, startProcess, stopProcess, tail, type StartOptions } from "../local/processes.js";
import { distDir } from "../runtime/paths.js";
import { kubectlOrThrow } from "../local/kubectl.js";
import { readTerminationLog, STARTED } from "../runtime/termination-log.js";
import { describeRedisAddress } from "../runtime/redis-address.js";
import { endOrphans } from "../queue/process-tree.js";
import { localDataFolder } from "../../stacks/index.js";
import { LocalRedis } from "./redis.js";
import {
  OCM_REGISTRATION,
  ocmHubControllerLaunch,
  waitForOcmHubController,
  type ServingProcess,
} from "./ocm-hub.js";

export const REQUIRED_TOOLS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kubectl",
  "pulumi",
  OCM_REGISTRATION,
] as const;

/** Last words `down` writes for a child that keeps no termination log of its own (the OCM controller). */
export const STOPPED_BY_DOWN = "stopped by `slipway dev down`";

/** A child of the dev environment, before it is started. */
type ChildSpec = Omit<StartOptions, "logFile" | "detached"> & {
  listen?: string;
  /** It writes no termination log of its own (not a Slipway program). */
  withoutTerminationLog?: boolean;
};

/** The one hub CRD file whose presence says tools/build.sh copied the current list (ManifestWork came later). */
const MANIFEST_WORK_CRD = "0000_00_work.open-cluster-management.io_manifestworks.crd.yaml";

export interface DevStatus {
  hub: Awaited<ReturnType<LocalControlPlane["status"]>>;
  components: ComponentStatus[];
  redis: { url?: string; pid?: number; alive: boolean; external: boolean };
  kubeconfig: string;
}

export interface ComponentStatus {
  name: string;
  pid: number;
  alive: boolean;
  logFile: string;
  /** Where it serves health and metrics (host:port), for a child that serves them. */
  listen?: string;
  /** Why a process that is not alive ended, from its termination log; undefined while it runs. */
  ended?: string;
  /** Its last log lines, when it ended without last words (SIGKILL, out of memory, power loss). */
  lastLogLines?: string;
}

/** The last `count` lines of a log that are not blank. */
function lastLines(file: string, count: number): string {
  return tail(file, count * 20)
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .slice(-count)
    .join("\n");
}

/**
 * The embedded default: a real hub (etcd + kube-apiserver + kube-controller-manager) with Slipway's and OCM's
 * CRDs, OCM's registration hub controller, and Redis, all on loopback ports under the state folder. A second
 * `up` reuses the data and ports, and starts again any child that died.
 */
/**
 * The config of a dev environment of its own in `stateDir` (a benchmark's, a test run's shared hub): it starts its
 * own hub and Redis, whatever hub or Redis the caller's environment `env` names.
 */
export function privateEnvironmentConfig(stateDir: string, env: NodeJS.ProcessEnv): SlipwayConfig {
  return loadConfig({
    ...env,
    SLIPWAY_STATE_DIR: stateDir,
    REDIS_URL: "",
    KUBECONFIG: "",
    SLIPWAY_KUBECONFIG: "",
  });
}

export class DevEnvironment {
  readonly hub: LocalControlPlane;
  readonly redis: LocalRedis;
  readonly kubeconfigPath: string;

  constructor(private readonly config: SlipwayConfig) {
    this.hub = new LocalControlPlane({
      name: "slipway-hub",
      dataDir: join(config.stateDir, "hub"),
      binDir: config.toolsBinDir,
      controllerManager: true,
    });
    this.redis = new LocalRedis(join(config.stateDir, "redis"));
    this.kubeconfigPath = join(config.stateDir, "kubeconfig");
  }

  missingTools(): string[] {
    return REQUIRED_TOOLS.filter((t) => !existsSync(join(this.config.toolsBinDir, t)));
  }

  async up(opts: {
    detached: boolean;
    log: (line: string) => void;
    components?: boolean;
  }): Promise<{ kubeconfig: string; redisUrl: string; apiURL: string }> {
    const missing = this.missingTools();
    if (missing.length > 0) {
      throw new Error(
        `missing ${missing.join(", ")} in ${this.config.toolsBinDir}: run \`bash tools/build.sh\` first`,
      );
    }
    await mkdir(this.config.stateDir, { recursive: true });
    const redisUrl = this.config.redisUrl ?? (await this.redis.start({ detached: opts.detached }));
    opts.log(
      `Redis ready at ${describeRedisAddress(redisUrl)}${this.config.redisUrl ? " (from the environment)" : ""}`,
    );
    const { apiURL } = await this.hub.start({ detached: opts.detached });
    await copyFile(this.hub.kubeconfigPath, this.kubeconfigPath);
    opts.log(`Hub API server ready at ${apiURL}`);
    await this.installCrds();
    opts.log("Slipway and OCM CRDs installed and Established");
    await this.startChildren(await this.ocmControllerSpecs(), opts.detached);
    await writeFile(
      join(this.config.stateDir, "dev.json"),
      JSON.stringify({ redisUrl, apiURL, kubeconfig: this.kubeconfigPath }, null, 2),
    );
    await this.startLocalClusters(opts.log);
    if (opts.components !== false) {
      await this.startChildren(this.componentSpecs(redisUrl), opts.detached);
      opts.log("Controller and worker started (logs in " + join(this.config.stateDir, "logs") + ")");
    }
    const ocm = (await this.readComponents()).find((p) => p.name === OCM_REGISTRATION);
    if (!ocm) throw new Error(`${OCM_REGISTRATION} is not recorded in ${this.componentsPath}`);
    await waitForOcmHubController(ocm);
    opts.log(`OCM registration hub controller healthy at https://${ocm.listen}/healthz`);
    return { kubeconfig: this.kubeconfigPath, redisUrl, apiURL };
  }

  /** `slipway controller` and `slipway worker` as child processes of the dev environment. */
  private componentSpecs(redisUrl: string): ChildSpec[] {
    const main = join(distDir, "src", "cli", "main.js");
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\``);
    const env = {
      ...process.env,
      SLIPWAY_STATE_DIR: this.config.stateDir,
      SLIPWAY_KUBECONFIG: this.kubeconfigPath,
      REDIS_URL: redisUrl,
    };
    return ["controller", "worker"].map((name) => ({
      name,
      command: process.execPath,
      args: [
        main,
        name,
        `--state-dir=${this.config.stateDir}`,
        `--termination-log=${this.terminationLogPath(name)}`,
      ],
      marker: `--state-dir=${this.config.stateDir}`,
      env,
    }));
  }

  /** OCM's registration hub controller unless it runs, on the port it had before when that is still free. */
  private async ocmControllerSpecs(): Promise<ChildSpec[]> {
    const previous = (await this.readComponents()).find((p) => p.name === OCM_REGISTRATION);
    if (previous && isAlive(previous)) return [];
    const launch = await ocmHubControllerLaunch({
      binDir: this.config.toolsBinDir,
      stateDir: this.config.stateDir,
      kubeconfig: this.kubeconfigPath,
      previousListen: previous?.listen,
    });
    return [{ name: OCM_REGISTRATION, ...launch, withoutTerminationLog: true }];
  }

  /**
   * Starts each child that is not running, logging to logs/<name>.log, and records them all in components.json,
   * which `status` reads and `down` stops. A live child is kept as it is.
   */
  private async startChildren(specs: ChildSpec[], detached: boolean): Promise<void> {
    const logs = join(this.config.stateDir, "logs");
    await mkdir(logs, { recursive: true });
    const running = (await this.readComponents()).filter(isAlive);
    for (const spec of specs) {
      if (running.some((p) => p.name === spec.name)) continue;
      // Its last words stay "started" unless `down` stops it: an end by itself shows its last log lines.
      if (spec.withoutTerminationLog)
        await writeFile(this.terminationLogPath(spec.name), `${STARTED} ${new Date().toISOString()}`);
      const { record } = startProcess({ ...spec, logFile: join(logs, `${spec.name}.log`), detached });
      running.push(spec.listen ? { ...record, listen: spec.listen } : record);
    }
    await writeFile(this.componentsPath, JSON.stringify(running, null, 2));
  }

  /** Where a component writes why it ended: prepared at its start, so that it works on a full disk. */
  private terminationLogPath(name: string): string {
    return join(this.config.stateDir, "logs", `${name}.exit`);
  }

  private componentStatus(p: ServingProcess): ComponentStatus {
    const status: ComponentStatus = {
      name: p.name,
      pid: p.pid,
      alive: isAlive(p),
      logFile: p.logFile,
      ...(p.listen ? { listen: p.listen } : {}),
    };
    if (status.alive) return status;
    const lastWords = readTerminationLog(this.terminationLogPath(p.name));
    if (lastWords === undefined || lastWords.startsWith(`${STARTED} `))
      return { ...status, ended: "without last words", lastLogLines: lastLines(p.logFile, 5) };
    return { ...status, ended: lastWords };
  }

  private get componentsPath(): string {
    return join(this.config.stateDir, "components.json");
  }

  async readComponents(): Promise<ServingProcess[]> {
    if (!existsSync(this.componentsPath)) return [];
    return JSON.parse(await readFile(this.componentsPath, "utf8")) as ServingProcess[];
  }

  async installCrds(): Promise<void> {
    const bin = this.config.toolsBinDir;
    const kc = this.kubeconfigPath;
    if (!existsSync(join(ocmCrdDir, MANIFEST_WORK_CRD)))
      throw new Error(`OCM CRDs are missing in ${ocmCrdDir}: run \`bash tools/build.sh\``);
    // One apply: Slipway's CRDs, OCM's hub CRDs, and OCM's namespaces and bootstrap RBAC (tools/ocm/hub).
    await kubectlOrThrow(bin, kc, [
      "apply",
      "--server-side",
      "--force-conflicts",
      "--field-manager=slipway-dev",
      "-f",
      crdDir,
      "-f",
      ocmCrdDir,
      "-f",
      ocmHubManifestDir,
    ]);
    await kubectlOrThrow(bin, kc, ["wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"]);
    const ns = await kubectlOrThrow(bin, kc, [
      "create",
      "namespace",
      "slipway-system",
      "--dry-run=client",
      "-o",
      "yaml",
    ]);
    await kubectlOrThrow(bin, kc, ["apply", "-f", "-"], ns);
  }

  async down(): Promise<void> {
    for (const p of await this.readComponents()) {
      if (!isAlive(p)) continue;
      await stopProcess(p, 30_000);
      if (p.name === OCM_REGISTRATION)
        await writeFile(this.terminationLogPath(p.name), `${new Date().toISOString()} ${STOPPED_BY_DOWN}`);
    }
    // A worker that had to be killed leaves its Pulumi runs' plugins; local clusters are detached and not touched.
    await endOrphans(this.config.stateDir);
    await this.stopLocalClusters();
    await this.hub.stop();
    await this.redis.stop();
  }

  private get localClustersDir(): string {
    return localDataFolder.root(this.config.stateDir);
  }

  private get stoppedClustersPath(): string {
    return join(this.config.stateDir, "clusters-stopped-by-down.json");
  }

  /**
   * The `local` platform's clusters are processes of this machine: `down` stops the running ones (data kept) and
   * remembers them, so the next `up` starts exactly those again and their ClusterDeployments stay true.
   */
  private async stopLocalClusters(): Promise<void> {
    if (!existsSync(this.localClustersDir)) return;
    const stopped: string[] = [];
    for (const entry of await readdir(this.localClustersDir)) {
      const dataDir = join(this.localClustersDir, entry);
      const cluster = await LocalControlPlane.recorded(dataDir, this.config.toolsBinDir);
      // Recorded processes mean it was meant to run, also when some died (a full disk): stop what is left.
      if (!cluster || (await cluster.status()).processes.length === 0) continue;
      await cluster.stop();
      stopped.push(dataDir);
    }
    const earlier = await this.readStoppedClusters();
    await writeFile(
      this.stoppedClustersPath,
      JSON.stringify([...new Set([...earlier, ...stopped])], null, 2),
    );
  }

  private async startLocalClusters(log: (line: string) => void): Promise<void> {
    const stopped = await this.readStoppedClusters();
    const crashed = (await this.crashedLocalClusters()).filter((dataDir) => !stopped.includes(dataDir));
    await Promise.all(
      [...stopped, ...crashed].map(async (dataDir) => {
        const cluster = await LocalControlPlane.recorded(dataDir, this.config.toolsBinDir);
        if (cluster) await cluster.start({ detached: true });
      }),
    );
    if (stopped.length > 0) log(`Started the ${stopped.length} local cluster(s) that \`down\` stopped`);
    if (crashed.length > 0)
      log(`Restarted the ${crashed.length} local cluster(s) whose processes had died (a full disk, say)`);
    await rm(this.stoppedClustersPath, { force: true });
  }

  /**
   * Local clusters with a process that died on its own: a hibernated cluster records no processes (stop clears
   * them), so a recorded process that is gone means a crash, and the same data starts again.
   */
  private async crashedLocalClusters(): Promise<string[]> {
    if (!existsSync(this.localClustersDir)) return [];
    const crashed: string[] = [];
    for (const entry of await readdir(this.localClustersDir)) {
      const dataDir = join(this.localClustersDir, entry);
      const cluster = await LocalControlPlane.recorded(dataDir, this.config.toolsBinDir);
      const processes = cluster ? (await cluster.status()).processes : [];
      if (processes.some((p) => !p.alive)) crashed.push(dataDir);
    }
    return crashed;
  }

  private async readStoppedClusters(): Promise<string[]> {
    if (!existsSync(this.stoppedClustersPath)) return [];
    return JSON.parse(await readFile(this.stoppedClustersPath, "utf8")) as string[];
  }

  async status(): Promise<DevStatus> {
    const redis = await this.redis.status();
    return {
      hub: await this.hub.status(),
      components: (await this.readComponents()).map((p) => this.componentStatus(p)),
      redis: {
        ...redis,
        url: this.config.redisUrl ? describeRedisAddress(this.config.redisUrl) : redis.url,
        external: this.config.redisUrl !== undefined,
      },
      kubeconfig: this.kubeconfigPath,
    };
  }

  async recordedRedisUrl(): Promise<string | undefined> {
    const file = join(this.config.stateDir, "dev.json");
    if (!existsSync(file)) return undefined;
    return (JSON.parse(await readFile(file, "utf8")) as { redisUrl?: string }).redisUrl;
  }
}
