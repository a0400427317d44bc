/**
 * What the `local` dynamic providers do with a control plane that runs as processes on this machine, whether a
 * whole local cluster (operations.ts) or a hosted control plane on the shared etcd (hosted-operations.ts): create
 * (started once, stopped again when created hibernating, nothing left when it fails), read what really runs, diff
 * against the live processes, hibernate or start, and remove. Each file gives its control plane and the inputs that
 * replace or restart it.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCancellation } from "../dynamic/cancellation.js";
import type { DesiredPowerState, ObservedPowerState } from "../types.js";

// This process inherits the Pulumi CLI's environment, passphrase included, and the control plane's processes
// would inherit it from here and keep it for their lifetime. They need none of it.
for (const name of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_ACCESS_TOKEN"]) {
  delete process.env[name];
}

export interface Endpoints {
  apiURL: string;
  caData: string;
  kubeconfig: string;
}

/** A control plane of processes: LocalControlPlane or HostedControlPlane (src/local). */
export interface ProcessControlPlane {
  start(mode: { detached: boolean; signal?: AbortSignal }): Promise<Endpoints>;
  stop(): Promise<void>;
  /** Stops the processes and removes everything the control plane keeps on the machine. */
  destroy(): Promise<void>;
  status(): Promise<{ running: boolean }>;
}

/** The inputs every process control plane has. */
export interface ProcessArgs {
  clusterName: string;
  dataDir: string;
  binDir: string;
  powerState: DesiredPowerState;
}

/** The state every process control plane records. `powerState` is what was observed, not what was asked for. */
export interface ProcessState extends Endpoints {
  dataDir: string;
  /** The desired power state of the last successful create/update. */
  desiredPowerState: DesiredPowerState;
  powerState: ObservedPowerState;
  running: boolean;
  infraID: string;
  kubernetesVersion: string;
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface ProcessControlPlaneKind<A extends ProcessArgs, S extends ProcessState> {
  controlPlane(args: Omit<A, "powerState"> | S): ProcessControlPlane;
  /** The inputs whose change makes a new control plane (a new data folder, say). */
  replaceOn: readonly (keyof A & keyof S & string)[];
  /** Inputs changed that need an update besides the power state (it runs or not as asked). */
  changed(olds: S, news: A): boolean;
  /** Inputs changed that need the processes restarted on the same data. */
  restartOn(olds: S, news: A): boolean;
  /** The state recorded from the inputs, beyond what every process control plane records. */
  stateOf(args: A): Omit<S, keyof ProcessState>;
}

/** The dynamic provider's operations for one kind of process control plane. */
export function processOperations<A extends ProcessArgs, S extends ProcessState>(
  kind: ProcessControlPlaneKind<A, S>,
) {
  const stateFor = (args: A, endpoints: Endpoints, infraID: string, running: boolean): S =>
    ({
      ...kind.stateOf(args),
      dataDir: args.dataDir,
      desiredPowerState: args.powerState,
      powerState: observed(args.powerState, running),
      running,
      apiURL: endpoints.apiURL,
      caData: endpoints.caData,
      kubeconfig: endpoints.kubeconfig,
      infraID,
      kubernetesVersion: builtVersion(args.binDir),
    }) as S;

  async function create(args: A): Promise<{ id: string; outs: S }> {
    const cp = kind.controlPlane(args);
    const cancellation = runCancellation();
    try {
      // Created hibernating: started once (PKI, etcd data, kubeconfig) and stopped, as Hive does.
      const endpoints = await cp.start({ detached: true, signal: cancellation.signal });
      if (args.powerState === "Hibernating") await cp.stop();
      const infraID = `${args.clusterName}-${randomBytes(3).toString("hex").slice(0, 5)}`;
      return { id: infraID, outs: stateFor(args, endpoints, infraID, args.powerState === "Running") };
    } catch (error) {
      // Pulumi records nothing for a failed create: leave nothing behind either.
      await cp.destroy().catch(() => undefined);
      throw error;
    } finally {
      cancellation.stop();
    }
  }

  /**
   * Reports what really runs, so `refresh` records drift: processes that died show as `Stopped` (or `Running` when
   * a hibernated control plane was started by hand), and a data folder that is gone makes the resource disappear.
   */
  async function read(id: string, props: S): Promise<{ id?: string; props?: S }> {
    if (!existsSync(props.dataDir)) return {};
    const running = (await kind.controlPlane(props).status()).running;
    return { id, props: { ...props, running, powerState: observed(props.desiredPowerState, running) } };
  }

  /**
   * Compares against the live processes, not only the recorded state, so a plain `up` (without refresh) restarts a
   * control plane whose processes died and stops one that was started behind our back.
   */
  async function diff(olds: S, news: A): Promise<DiffOutcome> {
    const replaces = kind.replaceOn.filter((key) => (olds[key] as unknown) !== news[key]);
    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
    const running = (await kind.controlPlane(olds).status()).running;
    const changes =
      running !== (news.powerState === "Running") ||
      olds.desiredPowerState !== news.powerState ||
      kind.changed(olds, news);
    return { changes, replaces: [], deleteBeforeReplace: false };
  }

  /** Hibernating stops every process and keeps the data; Running starts what is not running (same data, same CA). */
  async function update(olds: S, news: A): Promise<{ outs: S }> {
    const cp = kind.controlPlane(news);
    if (news.powerState === "Hibernating") {
      await cp.stop();
      const endpoints = { apiURL: olds.apiURL, caData: olds.caData, kubeconfig: olds.kubeconfig };
      return { outs: stateFor(news, endpoints, olds.infraID, false) };
    }
    if (kind.restartOn(olds, news)) await kind.controlPlane(olds).stop();
    const endpoints = await cp.start({ detached: true });
    return { outs: stateFor(news, endpoints, olds.infraID, true) };
  }

  /** Stops every process and removes what it keeps: nothing of the control plane is left on the machine. */
  async function remove(props: S): Promise<void> {
    await kind.controlPlane(props).destroy();
  }

  return { create, read, diff, update, remove };
}

/** What the processes say against what was asked: a dead set asked to run is Stopped (drift). */
export function observed(desired: DesiredPowerState, running: boolean): ObservedPowerState {
  if (running) return "Running";
  return desired === "Hibernating" ? "Hibernating" : "Stopped";
}

/** The version tools/build.sh stamped on kube-apiserver, or "unknown". */
export function builtVersion(binDir: string): string {
  const stamp = join(binDir, "kube-apiserver.version");
  return existsSync(stamp) ? readFileSync(stamp, "utf8").trim().replace(/^v/, "") : "unknown";
}
