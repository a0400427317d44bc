import { join } from "node:path";
import { HostedClusterReason } from "../../src/api/reasons.js";
import type { Infer } from "../../src/api/schema.js";
import { TerminalStackError } from "../../src/errors/index.js";
import { absolutePath, parseInputs } from "../cluster-inputs.js";
import { hostedClusterInputs } from "../hosted-cluster-inputs.js";
import type { StackContext } from "../platform.js";
import { checkBuiltTools, localDataFolder } from "./inputs.js";
import { localHostedClusterPlatform } from "../../src/api/platforms/local.js";

/** The local HostedCluster program's inputs: the hosted fields, plus where its control plane lives here. */
export const localHostedInputs = hostedClusterInputs(localHostedClusterPlatform({ immutable: false }), {
  dataDir: absolutePath("Folder with the control plane's PKI, logs and kubeconfigs. Removed on destroy."),
  binDir: absolutePath("Folder with etcd, kube-apiserver, kube-controller-manager and kube-scheduler."),
  sharedEtcdDir: absolutePath(
    "Folder of the machine's shared etcd, which every local hosted control plane uses.",
  ),
  etcdPrefix: absolutePath("The control plane's keys in the shared etcd (kube-apiserver --etcd-prefix)."),
});
export type LocalHostedClusterInputs = Infer<typeof localHostedInputs>;

/**
 * A hosted control plane's folder sits beside the local ClusterDeployments' (<stateDir>/clusters/<stack>: stack
 * names are unique), so the platform keeps one data folder; the shared etcd lives in <stateDir>/hosted-etcd.
 */
export function localHostedHostInputs(
  ctx: StackContext,
): Pick<LocalHostedClusterInputs, "dataDir" | "binDir" | "sharedEtcdDir" | "etcdPrefix"> {
  return {
    dataDir: join(localDataFolder.root(ctx.stateDir), ctx.stackName),
    binDir: ctx.toolsBinDir,
    sharedEtcdDir: join(ctx.stateDir, "hosted-etcd"),
    etcdPrefix: `/hosted/${ctx.stackName}`,
  };
}

const PROGRAMS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"];

/**
 * The schema, then what admission cannot see: the programs and version built here. HighlyAvailable asks for
 * three replicas of each component, which one machine cannot make more available: stalled with words.
 */
export function validateLocalHostedInputs(raw: unknown): LocalHostedClusterInputs {
  const inputs = parseInputs("local", localHostedInputs, raw);
  if (inputs.controllerAvailabilityPolicy === "HighlyAvailable") {
    throw new TerminalStackError(
      HostedClusterReason.UnsupportedAvailabilityPolicy,
      "local platform: controllerAvailabilityPolicy HighlyAvailable asks for 3 replicas of each control plane " +
        "component, and on one machine they would share its fate; the local platform runs SingleReplica: create " +
        "the HostedCluster again with controllerAvailabilityPolicy SingleReplica (the field is immutable)",
    );
  }
  checkBuiltTools(inputs.binDir, PROGRAMS, inputs.version, "spec.release.version");
  return inputs;
}
