import type { ClusterPlatform } from "../../src/api/platform.js";
import type { SimulatedEvaluation } from "../platform.js";

/** A simulated agent renews by a job every lease: 10 minutes keeps thousands of simulated clusters cheap. */
export const SIMULATED_LEASE_DURATION_SECONDS = 600;

/** spec.platform.simulated.registrationSeconds, with the spec's jitter: how long a real agent would take. */
export function simulatedJoinLatencyMs(platform: ClusterPlatform): number {
  const sim = platform.simulated;
  const base = (sim?.registrationSeconds ?? 0.5) * 1000;
  const jitter = ((sim?.jitterPercent ?? 0) / 100) * base * (Math.random() * 2 - 1);
  return Math.max(0, Math.round(base + jitter));
}

/**
 * A simulated cluster has no API: a policy evaluation takes the platform's bootstrapSeconds (with its jitter), and
 * a failure injected into phase Bootstrap is the evaluation's.
 */
export function simulatedEvaluation(platform: ClusterPlatform): SimulatedEvaluation {
  const sim = platform.simulated;
  const jitter = ((sim?.jitterPercent ?? 0) / 100) * (Math.random() * 2 - 1);
  const delayMs = Math.max(0, (sim?.bootstrapSeconds ?? 0) * 1000 * (1 + jitter));
  const failure = sim?.failures?.find((f) => f.phase === "Bootstrap");
  return failure ? { delayMs, failure } : { delayMs };
}
