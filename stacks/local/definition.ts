import { DYNAMIC_CLUSTER_RESOURCES } from "../dynamic/control-plane.js";
import type { PlatformDefinition, StackProgram } from "../platform.js";
import { CLUSTER_SECRET_OUTPUTS } from "../types.js";
import { program } from "./cluster.js";
import { hostedProgram } from "./hosted-cluster.js";
import { assertHostedOperationsBuilt } from "./hosted-provider.js";
import {
  localHostedHostInputs,
  validateLocalHostedInputs,
  type LocalHostedClusterInputs,
} from "./hosted-inputs.js";
import { localDataFolder, localHostInputs, validateLocalInputs, type LocalClusterInputs } from "./inputs.js";
import { assertOperationsBuilt } from "./provider.js";
import { localPlatform } from "../../src/api/platforms/local.js";

const clusterDeployment: StackProgram<LocalClusterInputs> = {
  hostInputs: localHostInputs,
  validate: (inputs) => {
    const valid = validateLocalInputs(inputs);
    assertOperationsBuilt();
    return valid;
  },
  program,
  describe: (inputs) => ({
    platform: "local",
    summary: `local cluster ${inputs.clusterName} (${inputs.powerState}) in ${inputs.dataDir}`,
    expectedResources: DYNAMIC_CLUSTER_RESOURCES,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    idempotentCreate: true,
  }),
};

const hostedCluster: StackProgram<LocalHostedClusterInputs> = {
  hostInputs: localHostedHostInputs,
  validate: (inputs) => {
    const valid = validateLocalHostedInputs(inputs);
    assertHostedOperationsBuilt();
    return valid;
  },
  program: hostedProgram,
  describe: (inputs) => ({
    platform: "local",
    summary:
      `local hosted control plane ${inputs.clusterName} (${inputs.powerState}) in ${inputs.dataDir}, ` +
      `keys under ${inputs.etcdPrefix} of the shared etcd`,
    expectedResources: DYNAMIC_CLUSTER_RESOURCES,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    idempotentCreate: true,
  }),
};

/** Real control planes (etcd + kube-apiserver processes) on this machine: the end-to-end path. */
export const local: PlatformDefinition = {
  name: "local",
  implemented: true,
  schema: localPlatform,
  // A HostedCluster's control plane shares the machine's one etcd with the other hosted ones (Kamaji's model).
  programs: { ClusterDeployment: clusterDeployment, HostedCluster: hostedCluster },
  // OCM's agent runs beside the control plane, supervised by the worker in the cluster's data folder.
  hubJoin: { method: "supervised-agent" },
  policyAccess: { via: "admin-kubeconfig" },
  hibernation:
    "the control plane's processes (and the registration agent) stop; its data folder (a hosted cluster's keys " +
    "in the shared etcd) is kept",
  dataFolder: localDataFolder,
  nodePoolNodes: "api-objects",
};
