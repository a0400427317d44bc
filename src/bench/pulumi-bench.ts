import { randomBytes } from "node:crypto";
import { PulumiRunner } from "../queue/pulumi-runner.js";

export interface SimulatedUpBenchOptions {
  /** Folder holding the `pulumi` CLI (tools/bin). */
  toolsBinDir: string;
  /** A scratch state folder: the file backend, PULUMI_HOME and workspaces go under it. */
  stateDir: string;
  iterations: number;
  /** Default: the file backend under stateDir. */
  backendUrl?: string;
  passphrase?: string;
  onIteration?: (iteration: number, durationMs: number) => void;
}

export interface SimulatedUpBenchResult {
  iterations: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  durationsMs: number[];
}

/**
 * Measures what one provision costs in Pulumi itself: `up` of a fresh simulated cluster with every delay at zero,
 * through the same runner a worker uses (stack select, up, outputs), N times. Each stack is destroyed afterwards,
 * outside the measurement, so the benchmark leaves nothing behind.
 */
export async function benchSimulatedUp(opts: SimulatedUpBenchOptions): Promise<SimulatedUpBenchResult> {
  if (!Number.isInteger(opts.iterations) || opts.iterations < 1)
    throw new Error("iterations must be at least 1");
  const runner = new PulumiRunner({
    toolsBinDir: opts.toolsBinDir,
    stateDir: opts.stateDir,
    backendUrl: opts.backendUrl,
    passphrase: opts.passphrase ?? randomBytes(16).toString("hex"),
  });
  await runner.listStacks(); // warm-up: finds and version-checks the CLI once, outside the figures
  const run = randomBytes(3).toString("hex");
  const durationsMs: number[] = [];
  for (let i = 0; i < opts.iterations; i++) {
    const inputs = instantSimulatedInputs(`bench-${i}`);
    const stackName = `bench-${run}-${i}`;
    const result = await runner.run({ platform: "simulated", stackName, operation: "up", inputs });
    durationsMs.push(result.durationMs);
    opts.onIteration?.(i, result.durationMs);
    await runner.run({ platform: "simulated", stackName, operation: "destroy", inputs });
  }
  return {
    iterations: durationsMs.length,
    meanMs: Math.round(durationsMs.reduce((a, b) => a + b, 0) / durationsMs.length),
    minMs: Math.min(...durationsMs),
    maxMs: Math.max(...durationsMs),
    durationsMs,
  };
}

/** The simulated platform's fields with every delay at zero: only Slipway's and Pulumi's own time counts. */
export const ZERO_DELAY_SIMULATED = {
  provisionSeconds: 0,
  hibernateSeconds: 0,
  resumeSeconds: 0,
  destroySeconds: 0,
  registrationSeconds: 0,
  bootstrapSeconds: 0,
  jitterPercent: 0,
};

/** Stack inputs of a running simulated cluster with no simulated delays. */
export function instantSimulatedInputs(clusterName: string): Record<string, unknown> {
  return { clusterName, powerState: "Running", platform: ZERO_DELAY_SIMULATED };
}
