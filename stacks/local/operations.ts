/**
 * What the `local` dynamic provider does, run inside Pulumi's dynamic-provider process (plain Node, no
 * TypeScript). stacks/local/provider.ts loads the compiled copy of this file from dist/ with a dynamic import, so
 * everything here may import freely: none of it goes through Pulumi's closure serializer.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LocalControlPlane } from "../../src/local/control-plane.js";
import { runCancellation } from "../dynamic/cancellation.js";
import type { DesiredPowerState, ObservedPowerState } from "../types.js";

// This process inherits the Pulumi CLI's environment, passphrase included, and the control plane's processes
// would inherit it from here and keep it for their lifetime. They need none of it.
for (const name of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_ACCESS_TOKEN"]) {
  delete process.env[name];
}

/** The dynamic resource's inputs (LocalClusterInputs after validation, with defaults applied). */
export interface ControlPlaneArgs {
  clusterName: string;
  dataDir: string;
  binDir: string;
  powerState: DesiredPowerState;
  controllerManager: boolean;
  kubernetesVersion?: string;
}

/** The dynamic resource's state. `powerState` here is what was observed, not what was asked for. */
export interface ControlPlaneState {
  clusterName: string;
  dataDir: string;
  binDir: string;
  controllerManager: boolean;
  /** The desired power state of the last successful create/update. */
  desiredPowerState: DesiredPowerState;
  powerState: ObservedPowerState;
  running: boolean;
  apiURL: string;
  caData: string;
  kubeconfig: string;
  infraID: string;
  kubernetesVersion: string;
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

function controlPlane(
  args: Pick<ControlPlaneArgs, "clusterName" | "dataDir" | "binDir" | "controllerManager">,
) {
  return new LocalControlPlane({
    name: args.clusterName,
    dataDir: args.dataDir,
    binDir: args.binDir,
    controllerManager: args.controllerManager,
  });
}

export async function create(args: ControlPlaneArgs): Promise<{ id: string; outs: ControlPlaneState }> {
  const cp = controlPlane(args);
  const cancellation = runCancellation();
  try {
    // A cluster created hibernating is started once (PKI, etcd data, kubeconfig) and stopped, as Hive does.
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
 * a hibernated cluster was started by hand), and a data folder that is gone makes the resource disappear.
 */
export async function read(
  id: string,
  props: ControlPlaneState,
): Promise<{ id?: string; props?: ControlPlaneState }> {
  if (!existsSync(props.dataDir)) return {};
  const running = (await controlPlane(props).status()).running;
  return { id, props: { ...props, running, powerState: observed(props.desiredPowerState, running) } };
}

/**
 * Compares against the live processes, not only the recorded state, so a plain `up` (without refresh) restarts a
 * cluster whose processes died and stops one that was started behind our back.
 */
export async function diff(olds: ControlPlaneState, news: ControlPlaneArgs): Promise<DiffOutcome> {
  const replaces = (["clusterName", "dataDir"] as const).filter((key) => olds[key] !== news[key]);
  if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
  const running = (await controlPlane(olds).status()).running;
  const wantRunning = news.powerState === "Running";
  const changes =
    running !== wantRunning ||
    olds.desiredPowerState !== news.powerState ||
    olds.powerState !== news.powerState ||
    olds.binDir !== news.binDir ||
    olds.controllerManager !== news.controllerManager ||
    (news.kubernetesVersion !== undefined && !olds.kubernetesVersion.startsWith(news.kubernetesVersion));
  return { changes, replaces: [], deleteBeforeReplace: false };
}

/** Hibernating stops every process and keeps the data; Running starts what is not running (same data, same CA). */
export async function update(
  olds: ControlPlaneState,
  news: ControlPlaneArgs,
): Promise<{ outs: ControlPlaneState }> {
  const cp = controlPlane(news);
  if (news.powerState === "Hibernating") {
    await cp.stop();
    const endpoints = { apiURL: olds.apiURL, caData: olds.caData, kubeconfig: olds.kubeconfig };
    return { outs: stateFor(news, endpoints, olds.infraID, false) };
  }
  // Changed binaries or components: restart everything on the same data.
  if (olds.binDir !== news.binDir || olds.controllerManager !== news.controllerManager)
    await controlPlane(olds).stop();
  const endpoints = await cp.start({ detached: true });
  return { outs: stateFor(news, endpoints, olds.infraID, true) };
}

/** Stops every process and removes the data folder: nothing of the cluster is left on the machine. */
export async function remove(props: ControlPlaneState): Promise<void> {
  await controlPlane(props).destroy();
}

function stateFor(
  args: ControlPlaneArgs,
  endpoints: { apiURL: string; caData: string; kubeconfig: string },
  infraID: string,
  running: boolean,
): ControlPlaneState {
  return {
    clusterName: args.clusterName,
    dataDir: args.dataDir,
    binDir: args.binDir,
    controllerManager: args.controllerManager,
    desiredPowerState: args.powerState,
    powerState: observed(args.powerState, running),
    running,
    apiURL: endpoints.apiURL,
    caData: endpoints.caData,
    kubeconfig: endpoints.kubeconfig,
    infraID,
    kubernetesVersion: builtVersion(args.binDir),
  };
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
