import type { ClusterView, PoolView } from "./types.js";

/**
 * Two guards that keep a pool from churning — creating and deleting clusters in a loop, which in a cloud costs
 * real money (Hive's pools have this hot loop):
 *
 * - A template that cannot provision (a missing credentials Secret, a platform or version this build cannot
 *   run) makes every new cluster stall the same way. Replacing them only makes more. While it lasts the pool
 *   creates nothing and keeps the stalled clusters as they are: they carry the reason, and they provision by
 *   themselves once the missing dependency exists; a template change makes them stale and they are replaced.
 * - Any other broken cluster is replaced within a budget per time window, each replacement waiting twice as
 *   long as the one before.
 */

/** Why the pool's current template cannot provision, in its clusters' own words. */
export interface TemplateFailure {
  /** The stalled clusters' condition reason, e.g. CredentialsSecretMissing. */
  reason: string;
  message: string;
  /** The current-template clusters that stalled before they were ever provisioned. */
  clusters: string[];
}

export interface ReplacementBudget {
  windowMs: number;
  /** Broken clusters replaced at most this many times per window. */
  maxPerWindow: number;
  /** The wait after the first replacement of a window; it doubles after each one. */
  backoffBaseMs: number;
}

export const DEFAULT_REPLACEMENT_BUDGET: ReplacementBudget = {
  windowMs: 60 * 60_000,
  maxPerWindow: 6,
  backoffBaseMs: 60_000,
};

/**
 * The template fails when a cluster built from it stalled before it was ever provisioned and no cluster built
 * from it was provisioned: a fault of one cluster looks different, its siblings come up.
 */
export function templateFailure(
  pool: PoolView,
  clusters: readonly ClusterView[],
): TemplateFailure | undefined {
  const current = clusters.filter((c) => c.templateHash === pool.templateHash && !c.deleting);
  const failed = current
    .filter((c) => c.stalled && !c.provisioned)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  const first = failed[0];
  if (first === undefined) return undefined;
  if (current.some((c) => c.provisioned && !c.stalled)) return undefined;
  return {
    reason: first.stalledReason ?? "Stalled",
    message: first.stalledMessage ?? `cluster ${first.name} stalled before it was provisioned`,
    clusters: failed.map((c) => c.name),
  };
}

export interface ReplacementAllowance {
  /** Broken clusters this pass may delete (to be replaced): 0 or 1. */
  allowed: number;
  /** When the next replacement may happen, if not now. */
  nextAt?: Date;
}

/** Replacements of broken clusters already made (`recent`), against the budget: may one more happen now? */
export function replacementAllowance(
  recent: readonly Date[],
  now: Date,
  budget: ReplacementBudget = DEFAULT_REPLACEMENT_BUDGET,
): ReplacementAllowance {
  const inWindow = recent
    .map((d) => d.getTime())
    .filter((t) => t <= now.getTime() && now.getTime() - t < budget.windowMs)
    .sort((a, b) => a - b);
  if (inWindow.length >= budget.maxPerWindow) {
    return {
      allowed: 0,
      nextAt: new Date(inWindow[inWindow.length - budget.maxPerWindow]! + budget.windowMs),
    };
  }
  const last = inWindow[inWindow.length - 1];
  if (last === undefined) return { allowed: 1 };
  const nextAt = last + budget.backoffBaseMs * 2 ** (inWindow.length - 1);
  return nextAt <= now.getTime() ? { allowed: 1 } : { allowed: 0, nextAt: new Date(nextAt) };
}
