import type { Infer } from "../../src/api/schema.js";
import { clusterInputs, parseInputs } from "../cluster-inputs.js";
import type { DesiredPowerState } from "../types.js";
import { simulatedPlatform, type SimulatedFailure } from "../../src/api/platforms/simulated.js";

export type SimulatedPhase = "Provision" | "Hibernate" | "Resume" | "Destroy";

/** The simulated program's inputs: spec.platform.simulated as the API stores it, checked with the same schema. */
export const simulatedInputs = clusterInputs(simulatedPlatform({ immutable: false }), {});
export type SimulatedClusterInputs = Infer<typeof simulatedInputs>;

/** A failure injected into one phase, with the API's defaults applied. */
export type SimulatedFailureInput = Required<SimulatedFailure>;

/** What the dynamic resource receives: the inputs flattened, every default applied. */
export interface SimulatedClusterArgs {
  clusterName: string;
  powerState: DesiredPowerState;
  kubernetesVersion: string;
  region: string;
  /** Seconds each phase takes (fractions allowed). */
  provisionSeconds: number;
  hibernateSeconds: number;
  resumeSeconds: number;
  destroySeconds: number;
  /** Each delay varies randomly by up to this percentage either way. */
  jitterPercent: number;
  failures: SimulatedFailureInput[];
  /** The job's attempt number, which injected failures count against. Not the cluster's desired state. */
  attempt: number;
}

/** The version a simulated cluster reports when the spec names none. */
const DEFAULT_VERSION = "1.36.3";

export function validateSimulatedInputs(raw: unknown): SimulatedClusterInputs {
  return parseInputs("simulated", simulatedInputs, raw);
}

export function simulatedClusterArgs(inputs: SimulatedClusterInputs): SimulatedClusterArgs {
  const p = inputs.platform;
  return {
    clusterName: inputs.clusterName,
    powerState: inputs.powerState,
    kubernetesVersion: p.version ?? DEFAULT_VERSION,
    region: p.region ?? "",
    provisionSeconds: p.provisionSeconds,
    hibernateSeconds: p.hibernateSeconds,
    resumeSeconds: p.resumeSeconds,
    destroySeconds: p.destroySeconds,
    jitterPercent: p.jitterPercent,
    failures: (p.failures ?? []).map((f) => ({ ...f, message: f.message ?? `injected ${f.phase} failure` })),
    attempt: inputs.attempt,
  };
}
