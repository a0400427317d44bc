/**
 * What the `local` HostedCluster dynamic provider does, run in Pulumi's dynamic-provider process from the compiled
 * copy in dist/ (see hosted-provider.ts, and provider.ts for why).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { HostedControlPlane } from "../../src/local/hosted-control-plane.js";
import { runCancellation } from "../dynamic/cancellation.js";
import type { DesiredPowerState, ObservedPowerState } from "../types.js";
import { builtVersion, observed } from "./operations.js";

// Importing operations.js also strips the Pulumi CLI's secrets from this process's environment, which the
// control plane's processes would inherit.

export interface HostedControlPlaneArgs {
  clusterName: string;
  dataDir: string;
  binDir: string;
  sharedEtcdDir: string;
  etcdPrefix: string;
  powerState: DesiredPowerState;
  serviceNetwork: string;
  clusterNetwork: string;
}

export interface HostedControlPlaneState extends Omit<HostedControlPlaneArgs, "powerState"> {
  desiredPowerState: DesiredPowerState;
  powerState: ObservedPowerState;
  running: boolean;
  apiURL: string;
  caData: string;
  kubeconfig: string;
  infraID: string;
  kubernetesVersion: string;
}

function controlPlane(args: Omit<HostedControlPlaneArgs, "powerState">): HostedControlPlane {
  return new HostedControlPlane({
    name: args.clusterName,
    dataDir: args.dataDir,
    sharedEtcdDir: args.sharedEtcdDir,
    etcdPrefix: args.etcdPrefix,
    binDir: args.binDir,
    serviceNetwork: args.serviceNetwork,
    clusterNetwork: args.clusterNetwork,
  });
}

export async function create(
  args: HostedControlPlaneArgs,
): Promise<{ id: string; outs: HostedControlPlaneState }> {
  const cp = controlPlane(args);
  const cancellation = runCancellation();
  try {
    // Created hibernating: started once (PKI, its keys, kubeconfig) and stopped, as a local cluster is.
    const endpoints = await cp.start({ signal: cancellation.signal });
    if (args.powerState === "Hibernating") await cp.stop();
    const infraID = `${args.clusterName}-${randomBytes(3).toString("hex").slice(0, 5)}`;
    return { id: infraID, outs: stateFor(args, endpoints, infraID, args.powerState === "Running") };
  } catch (error) {
    await cp.destroy().catch(() => undefined); // a failed create records nothing: leave nothing
    throw error;
  } finally {
    cancellation.stop();
  }
}

/** What runs: died processes (or a stopped shared etcd) show as Stopped; a folder that is gone, as no resource. */
export async function read(
  id: string,
  props: HostedControlPlaneState,
): Promise<{ id?: string; props?: HostedControlPlaneState }> {
  if (!existsSync(props.dataDir)) return {};
  const running = (await controlPlane(props).status()).running;
  return { id, props: { ...props, running, powerState: observed(props.desiredPowerState, running) } };
}

export async function diff(olds: HostedControlPlaneState, news: HostedControlPlaneArgs) {
  const replaces = (["clusterName", "dataDir", "etcdPrefix", "sharedEtcdDir"] as const).filter(
    (key) => olds[key] !== news[key],
  );
  if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
  const running = (await controlPlane(olds).status()).running;
  const changes =
    running !== (news.powerState === "Running") ||
    olds.desiredPowerState !== news.powerState ||
    olds.binDir !== news.binDir ||
    olds.serviceNetwork !== news.serviceNetwork ||
    olds.clusterNetwork !== news.clusterNetwork;
  return { changes, replaces: [], deleteBeforeReplace: false };
}

/** Hibernating stops the three processes and keeps the keys; Running starts what does not run. */
export async function update(
  olds: HostedControlPlaneState,
  news: HostedControlPlaneArgs,
): Promise<{ outs: HostedControlPlaneState }> {
  const cp = controlPlane(news);
  if (news.powerState === "Hibernating") {
    await cp.stop();
    const endpoints = { apiURL: olds.apiURL, caData: olds.caData, kubeconfig: olds.kubeconfig };
    return { outs: stateFor(news, endpoints, olds.infraID, false) };
  }
  const restart =
    olds.binDir !== news.binDir ||
    olds.serviceNetwork !== news.serviceNetwork ||
    olds.clusterNetwork !== news.clusterNetwork;
  if (restart) await controlPlane(olds).stop();
  const endpoints = await cp.start();
  return { outs: stateFor(news, endpoints, olds.infraID, true) };
}

/** Stops the processes, deletes its keys from the shared etcd and its folder. */
export async function remove(props: HostedControlPlaneState): Promise<void> {
  await controlPlane(props).destroy();
}

function stateFor(
  args: HostedControlPlaneArgs,
  endpoints: { apiURL: string; caData: string; kubeconfig: string },
  infraID: string,
  running: boolean,
): HostedControlPlaneState {
  const { powerState, ...rest } = args;
  return {
    ...rest,
    desiredPowerState: powerState,
    powerState: observed(powerState, running),
    running,
    ...endpoints,
    infraID,
    kubernetesVersion: builtVersion(args.binDir),
  };
}
