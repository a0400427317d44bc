import type { PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { TerminalStackError } from "../src/errors/index.js";
import * as local from "./local/index.js";
import { assertOperationsBuilt } from "./local/provider.js";
import * as simulated from "./simulated/index.js";
import { CLUSTER_SECRET_OUTPUTS } from "./types.js";

export type { ClusterStackOutputs, DesiredPowerState, ObservedPowerState } from "./types.js";
export type { LocalClusterInputs } from "./local/index.js";
export type { SimulatedClusterInputs } from "./simulated/index.js";

/** What a platform's program does for given inputs, for logs, progress and the runner. */
export interface StackDescription {
  platform: string;
  /** One line a person can read, never secret: "local cluster dev-a (Running) in /var/lib/...". */
  summary: string;
  /**
   * How many resources one run registers (the stack, components, custom resources and their providers), so
   * progress has a total before the engine has seen them all.
   */
  expectedResources: number;
  /** Stack outputs that are secret. */
  secretOutputs: readonly string[];
  /**
   * Repeating an interrupted create is safe (it adopts what the first attempt made), so a run that clears a dead
   * worker's lock may forget the pending create and redo it. False for clouds, where that could orphan resources.
   */
  idempotentCreate: boolean;
}

/**
 * One platform's Pulumi program behind one interface, found by name (Hive's actuator per platform). Inputs are
 * validated here, before Pulumi runs, so a bad spec is terminal at once.
 */
export interface StackPlatform<Inputs = unknown> {
  readonly name: string;
  canHandle(platform: string): boolean;
  /** Returns the inputs with defaults applied; throws TerminalStackError when retrying cannot help. */
  validate(inputs: unknown): Inputs;
  /** The inline Pulumi program. Pure: nothing happens until Pulumi runs it. */
  program(inputs: Inputs): PulumiFn;
  describe(inputs: Inputs): StackDescription;
}

// Stack, component, dynamic resource and the dynamic provider's default provider resource.
const DYNAMIC_CLUSTER_RESOURCES = 4;

export const localPlatform: StackPlatform<local.LocalClusterInputs> = {
  name: "local",
  canHandle: (platform) => platform === "local",
  validate: (inputs) => {
    const valid = local.validateLocalInputs(inputs);
    assertOperationsBuilt();
    return valid;
  },
  program: (inputs) => local.program(inputs),
  describe: (inputs) => ({
    platform: "local",
    summary: `local cluster ${inputs.clusterName} (${inputs.powerState}) in ${inputs.dataDir}`,
    expectedResources: DYNAMIC_CLUSTER_RESOURCES,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    idempotentCreate: true,
  }),
};

export const simulatedPlatform: StackPlatform<simulated.SimulatedClusterInputs> = {
  name: "simulated",
  canHandle: (platform) => platform === "simulated",
  validate: (inputs) => simulated.validateSimulatedInputs(inputs),
  program: (inputs) => simulated.program(inputs),
  describe: (inputs) => ({
    platform: "simulated",
    summary: `simulated cluster ${inputs.clusterName} (${inputs.powerState})`,
    expectedResources: DYNAMIC_CLUSTER_RESOURCES,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    idempotentCreate: true,
  }),
};

/** Every platform whose program lives here. Cloud platforms join this list as their programs land. */
export const stackPlatforms: readonly StackPlatform<unknown>[] = [localPlatform, simulatedPlatform];

export function platformFor(platform: string): StackPlatform<unknown> {
  const found = stackPlatforms.find((p) => p.canHandle(platform));
  if (!found) {
    throw new TerminalStackError(
      "UnknownPlatform",
      `no stack program for platform "${platform}"; known: ${stackPlatforms.map((p) => p.name).join(", ")}`,
    );
  }
  return found;
}
