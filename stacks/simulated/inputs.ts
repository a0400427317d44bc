import { TerminalStackError } from "../../src/errors/index.js";
import type { DesiredPowerState } from "../types.js";

export type SimulatedPhase = "Provision" | "Hibernate" | "Resume" | "Destroy";

/** A failure injected into one phase, as in the API's `platform.simulated.failures[]`. */
export interface SimulatedFailureInput {
  phase: SimulatedPhase | "Register" | "Bootstrap";
  /** Transient failures are retried with backoff; Terminal ones stall the cluster. Default Transient. */
  mode?: "Transient" | "Terminal";
  /** How many attempts of the phase fail before it succeeds; 0 fails every attempt. Default 1. */
  attempts?: number;
  message?: string;
}

/** Desired state of one `simulated` cluster: no processes, state in the stack, each phase takes a while. */
export interface SimulatedClusterInputs {
  clusterName: string;
  powerState: DesiredPowerState;
  kubernetesVersion?: string;
  region?: string;
  /** Seconds each phase takes (fractions allowed). Defaults: 5, 2, 2, 2. */
  provisionSeconds?: number;
  hibernateSeconds?: number;
  resumeSeconds?: number;
  destroySeconds?: number;
  /** Each delay varies randomly by up to this percentage either way. Default 10. */
  jitterPercent?: number;
  failures?: SimulatedFailureInput[];
  /**
   * The job's attempt number (1 for the first), which injected failures count against. Not part of the
   * cluster's desired state: a different attempt alone never causes an update.
   */
  attempt?: number;
}

/** Inputs with every default applied: what the dynamic resource receives. */
export type SimulatedClusterArgs = Required<Omit<SimulatedClusterInputs, "region" | "kubernetesVersion">> & {
  region: string;
  kubernetesVersion: string;
};

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PHASES = ["Provision", "Hibernate", "Resume", "Destroy", "Register", "Bootstrap"];

export function validateSimulatedInputs(raw: unknown): SimulatedClusterArgs {
  const bad = (message: string): never => {
    throw new TerminalStackError("InvalidInputs", `simulated platform: ${message}`);
  };
  if (typeof raw !== "object" || raw === null) return bad("inputs must be an object");
  const inputs = raw as Record<string, unknown>;
  const { clusterName, powerState } = inputs;
  if (typeof clusterName !== "string" || clusterName.length > 63 || !DNS1123_LABEL.test(clusterName)) {
    bad(`clusterName must be a DNS-1123 label of at most 63 characters, got ${JSON.stringify(clusterName)}`);
  }
  if (powerState !== "Running" && powerState !== "Hibernating") {
    bad(`powerState must be Running or Hibernating, got ${JSON.stringify(powerState)}`);
  }
  const seconds = (key: string, fallback: number): number => {
    const value = inputs[key] ?? fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 86400) {
      bad(`${key} must be a number of seconds between 0 and 86400, got ${JSON.stringify(inputs[key])}`);
    }
    return value as number;
  };
  const jitterPercent = inputs.jitterPercent ?? 10;
  if (
    typeof jitterPercent !== "number" ||
    !Number.isInteger(jitterPercent) ||
    jitterPercent < 0 ||
    jitterPercent > 100
  ) {
    bad(`jitterPercent must be an integer between 0 and 100, got ${JSON.stringify(inputs.jitterPercent)}`);
  }
  const failures = (inputs.failures ?? []) as unknown;
  if (!Array.isArray(failures)) return bad("failures must be a list");
  const normalized = failures.map((f: unknown, i): SimulatedFailureInput => {
    const failure = (typeof f === "object" && f !== null ? f : {}) as Record<string, unknown>;
    if (!PHASES.includes(failure.phase as string))
      bad(`failures[${i}].phase must be one of ${PHASES.join(", ")}`);
    const mode = failure.mode ?? "Transient";
    if (mode !== "Transient" && mode !== "Terminal") bad(`failures[${i}].mode must be Transient or Terminal`);
    const attempts = failure.attempts ?? 1;
    if (typeof attempts !== "number" || !Number.isInteger(attempts) || attempts < 0) {
      bad(`failures[${i}].attempts must be a non-negative integer`);
    }
    return {
      phase: failure.phase as SimulatedFailureInput["phase"],
      mode: mode as "Transient" | "Terminal",
      attempts: attempts as number,
      message: typeof failure.message === "string" ? failure.message : `injected ${failure.phase} failure`,
    };
  });
  const attempt = inputs.attempt ?? 1;
  if (typeof attempt !== "number" || !Number.isInteger(attempt) || attempt < 1)
    bad("attempt must be an integer of 1 or more");
  return {
    clusterName: clusterName as string,
    powerState: powerState as DesiredPowerState,
    kubernetesVersion: typeof inputs.kubernetesVersion === "string" ? inputs.kubernetesVersion : "1.36.3",
    region: typeof inputs.region === "string" ? inputs.region : "",
    provisionSeconds: seconds("provisionSeconds", 5),
    hibernateSeconds: seconds("hibernateSeconds", 2),
    resumeSeconds: seconds("resumeSeconds", 2),
    destroySeconds: seconds("destroySeconds", 2),
    jitterPercent: jitterPercent as number,
    failures: normalized,
    attempt: attempt as number,
  };
}
