import { createHash } from "node:crypto";
import type { PolicyClusterStatus } from "../../api/index.js";
import { didNotConverge, NOT_CONVERGED_RETRY_MS } from "./enforce-backoff.js";

/** The evaluation interval when a policy sets none. */
export const DEFAULT_EVALUATION_INTERVAL_MS = 10 * 60_000;

export interface RoundInput {
  /** The cluster's entry in the policy's status, if it has one. */
  entry?: PolicyClusterStatus;
  policyGeneration: number;
  /** status.lastResumedAt of the cluster: every resume is followed by an evaluation. */
  lastResumedAt?: string;
  intervalMs: number;
  now: Date;
}

export type Round =
  | { due: true; key: string; why: "first" | "policyChanged" | "resumed" | "interval" }
  | { due: false; nextAt: Date };

/**
 * Whether a cluster is due for an evaluation, and which one. The key names the round deterministically from the
 * entry it follows (its lastEvaluated and generation), so the controller finds the same job again on every pass
 * and after a restart or a Redis flush, and a finished evaluation (which moves lastEvaluated) starts the next.
 * After an enforce that did not converge, the next interval round waits at least NOT_CONVERGED_RETRY_MS.
 */
export function evaluationRound(input: RoundInput): Round {
  const { entry, policyGeneration, lastResumedAt, intervalMs, now } = input;
  const last = entry?.lastEvaluated ? new Date(entry.lastEvaluated) : undefined;
  const key = roundKey(entry, policyGeneration, lastResumedAt);
  if (!last) return { due: true, key, why: "first" };
  if (entry?.generation !== policyGeneration) return { due: true, key, why: "policyChanged" };
  if (lastResumedAt && new Date(lastResumedAt) > last) return { due: true, key, why: "resumed" };
  const every = didNotConverge(entry, policyGeneration)
    ? Math.max(intervalMs, NOT_CONVERGED_RETRY_MS)
    : intervalMs;
  const nextAt = new Date(last.getTime() + every);
  return nextAt <= now ? { due: true, key, why: "interval" } : { due: false, nextAt };
}

function roundKey(
  entry: PolicyClusterStatus | undefined,
  policyGeneration: number,
  lastResumedAt: string | undefined,
): string {
  const seed = [
    entry?.lastEvaluated ?? "never",
    entry?.generation ?? "-",
    policyGeneration,
    lastResumedAt ?? "-",
  ];
  return createHash("sha256").update(seed.join("|")).digest("hex").slice(0, 12);
}

/**
 * The aggregate compliance of a policy over its clusters' entries: NonCompliant when one is, Pending while one
 * has no verdict, Compliant when all are; undefined when it selects no cluster.
 */
export function aggregateCompliance(
  entries: readonly Pick<PolicyClusterStatus, "compliant">[],
): PolicyClusterStatus["compliant"] | undefined {
  if (entries.length === 0) return undefined;
  if (entries.some((e) => e.compliant === "NonCompliant")) return "NonCompliant";
  if (entries.some((e) => e.compliant !== "Compliant")) return "Pending";
  return "Compliant";
}
