import { DYNAMIC_CLUSTER_RESOURCES } from "../dynamic/control-plane.js";
import type { PlatformDefinition, StackProgram } from "../platform.js";
import { CLUSTER_SECRET_OUTPUTS } from "../types.js";
import { program } from "./cluster.js";
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

/** Real control planes (etcd + kube-apiserver processes) on this machine: the end-to-end path. */
export const local: PlatformDefinition = {
  name: "local",
  implemented: true,
  schema: localPlatform,
  programs: { ClusterDeployment: clusterDeployment },
  // OCM's agent runs beside the control plane, supervised by the worker in the cluster's data folder.
  hubJoin: { method: "supervised-agent" },
  policyAccess: { via: "admin-kubeconfig" },
  hibernation: "the control plane's processes (and the registration agent) stop; its data folder is kept",
  dataFolder: localDataFolder,
};
