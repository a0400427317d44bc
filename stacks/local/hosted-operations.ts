/**
 * What the `local` HostedCluster dynamic provider does, run in Pulumi's dynamic-provider process from the compiled
 * copy in dist/ (see hosted-provider.ts, and provider.ts for why).
 */
import { HostedControlPlane } from "../../src/local/hosted-control-plane.js";
import type { DesiredPowerState } from "../types.js";
import { processOperations, type ProcessState } from "./process-operations.js";

// Importing process-operations.js also strips the Pulumi CLI's secrets from this process's environment, which the
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

/** The dynamic resource's state: what every process control plane records, and the inputs it was made with. */
export interface HostedControlPlaneState extends Omit<HostedControlPlaneArgs, "powerState">, ProcessState {}

/** Binaries or networks changed: the processes restart on the same data and keys. */
const restartOn = (olds: HostedControlPlaneState, news: HostedControlPlaneArgs) =>
  olds.binDir !== news.binDir ||
  olds.serviceNetwork !== news.serviceNetwork ||
  olds.clusterNetwork !== news.clusterNetwork;

/**
 * Hibernating stops the three processes and keeps the keys in the shared etcd; remove deletes its keys from the
 * shared etcd and its folder; a died process (or a stopped shared etcd) reads as Stopped.
 */
export const { create, read, diff, update, remove } = processOperations<
  HostedControlPlaneArgs,
  HostedControlPlaneState
>({
  controlPlane: (args) =>
    new HostedControlPlane({
      name: args.clusterName,
      dataDir: args.dataDir,
      sharedEtcdDir: args.sharedEtcdDir,
      etcdPrefix: args.etcdPrefix,
      binDir: args.binDir,
      serviceNetwork: args.serviceNetwork,
      clusterNetwork: args.clusterNetwork,
    }),
  replaceOn: ["clusterName", "dataDir", "etcdPrefix", "sharedEtcdDir"],
  changed: restartOn,
  restartOn,
  stateOf: ({ powerState: _, ...rest }) => rest,
});
