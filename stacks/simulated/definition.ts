import { DYNAMIC_CLUSTER_RESOURCES } from "../dynamic/control-plane.js";
import type { PlatformDefinition, StackProgram } from "../platform.js";
import { CLUSTER_SECRET_OUTPUTS } from "../types.js";
import { program } from "./cluster.js";
import {
  hostedProgram,
  validateSimulatedHostedInputs,
  type SimulatedHostedClusterInputs,
} from "./hosted-cluster.js";
import { SIMULATED_LEASE_DURATION_SECONDS, simulatedEvaluation, simulatedJoinLatencyMs } from "./hub.js";
import { validateSimulatedInputs, type SimulatedClusterInputs } from "./inputs.js";
import { simulatedPlatform } from "../../src/api/platforms/simulated.js";

const clusterDeployment: StackProgram<SimulatedClusterInputs> = {
  validate: validateSimulatedInputs,
  program,
  describe: (inputs) => ({
    platform: "simulated",
    summary: `simulated cluster ${inputs.clusterName} (${inputs.powerState})`,
    expectedResources: DYNAMIC_CLUSTER_RESOURCES,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    idempotentCreate: true,
  }),
};

const hostedCluster: StackProgram<SimulatedHostedClusterInputs> = {
  validate: validateSimulatedHostedInputs,
  program: hostedProgram,
  describe: (inputs) => ({
    platform: "simulated",
    summary: `simulated hosted control plane ${inputs.clusterName} (${inputs.powerState})`,
    expectedResources: DYNAMIC_CLUSTER_RESOURCES,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    idempotentCreate: true,
  }),
};

/** No processes, state in the stack, per-phase delays and injected failures: for scale and speed work. */
export const simulated: PlatformDefinition = {
  name: "simulated",
  implemented: true,
  schema: simulatedPlatform,
  // Optional (only with a credentialsRef), any keys: it stands in for a cloud in tests of the credentials path.
  credentials: { keys: [] },
  programs: { ClusterDeployment: clusterDeployment, HostedCluster: hostedCluster },
  hubJoin: {
    method: "simulated-agent",
    leaseDurationSeconds: SIMULATED_LEASE_DURATION_SECONDS,
    latencyMs: simulatedJoinLatencyMs,
  },
  policyAccess: { via: "simulation", evaluation: simulatedEvaluation },
  hibernation: "a state change in the stack that takes hibernateSeconds; the simulated agent pauses",
  nodePoolNodes: "status-only",
};
