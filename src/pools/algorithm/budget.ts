import type { AssignmentResult } from "./assignment.js";
import { totalClusters, type PoolBuckets } from "./buckets.js";
import { replacementAllowance, type TemplateFailure } from "./churn.js";
import { compareForExcessDeletion, compareForStaleReplacement } from "./order.js";
import type { ClusterView, DeletionReason, PoolView, ReleaseReason } from "./types.js";

export interface Deletion {
  clusterName: string;
  reason: DeletionReason;
  message: string;
}

export interface BudgetReport {
  /** `maxConcurrent`, or null when unlimited. */
  limit: number | null;
  /** Provisions and deprovisions already running: installing + deleting clusters. */
  inFlight: number;
  /** What this pass could start, or null when unlimited. */
  available: number | null;
  /** What this pass started: creations + deletions. */
  used: number;
}

export interface BudgetPlan {
  toCreate: number;
  /** In the order they were budgeted: released, broken, excess, stale. */
  toDelete: Deletion[];
  budget: BudgetReport;
  /** Unclaimed installing + installed clusters after assignment, minus claims still pending. */
  reserve: number;
  /** Broken clusters wait for the replacement budget until then. */
  nextReplacementAt?: Date;
}

const releaseMessages: Record<ReleaseReason, (claim: string) => string> = {
  ClaimDeleted: (claim) => `Claim ${claim} was deleted`,
  ClaimExpired: (claim) => `Claim ${claim} expired`,
  ClaimNotFound: (claim) => `Claim ${claim} no longer exists`,
  ClaimConflict: (claim) => `Claim ${claim} is bound to another cluster`,
};

/**
 * Spends the `maxConcurrent` budget (provisions + deprovisions in flight; Starting / Stopping do not count) in
 * Hive's order:
 * 1. delete clusters whose claim was deleted, expired or is gone;
 * 2. add clusters until the reserve (unclaimed, not broken, minus pending claims) reaches `size`, never letting
 *    the pool's cluster count (claimed, unclaimed, broken and deleting alike) pass `maxSize`;
 * 3. delete broken clusters, within the replacement budget (one at a time, backing off, a cap per window);
 * 4. delete unclaimed clusters beyond `size` (stale first, then furthest from ready, newest first);
 * 5. when the pool is steady (nothing installing or deleting, nothing created or deleted above, so `size` is
 *    reached or only `maxSize` holds it back), delete one stale cluster so that step 2 replaces it with a
 *    current one on a later pass.
 * While the template fails (churn.ts) nothing is created and its stalled clusters are kept.
 */
export function planBudget(
  pool: PoolView,
  buckets: PoolBuckets,
  assignment: AssignmentResult,
  failure?: TemplateFailure,
): BudgetPlan {
  const inFlight = buckets.installing.length + buckets.deleting.length;
  const limit = pool.maxConcurrent ?? null;
  const available = limit === null ? Number.POSITIVE_INFINITY : Math.max(0, limit - inFlight);
  let remaining = available;
  const toDelete: Deletion[] = [];
  const take = (count: number): number => {
    const granted = Math.max(0, Math.min(count, remaining));
    remaining -= granted;
    return granted;
  };

  for (const released of buckets.released.slice(0, take(buckets.released.length))) {
    toDelete.push({
      clusterName: released.cluster.name,
      reason: released.reason,
      message: releaseMessages[released.reason](released.claimName),
    });
  }

  const assigned = new Set(assignment.assignments.map((a) => a.clusterName));
  const unclaimed: ClusterView[] = [...buckets.assignable, ...buckets.installing].filter(
    (c) => !assigned.has(c.name),
  );
  const size = Math.max(0, pool.size);
  const reserve = unclaimed.length - assignment.stillPending.length;
  const capacity =
    pool.maxSize === undefined ? Number.POSITIVE_INFINITY : pool.maxSize - totalClusters(buckets);
  const toCreate = failure ? 0 : take(Math.min(size - reserve, capacity));

  const kept = new Set(failure?.clusters ?? []);
  const broken = buckets.broken.filter((b) => !kept.has(b.cluster.name));
  const allowance =
    broken.length > 0
      ? replacementAllowance(pool.recentReplacements ?? [], pool.now, pool.replacementBudget)
      : undefined;
  for (const { cluster, reason } of broken.slice(0, take(Math.min(broken.length, allowance?.allowed ?? 0)))) {
    const message =
      reason === "Stalled"
        ? `Cluster ${cluster.name} is stalled`
        : `Cluster ${cluster.name} did not become ready within the resume timeout`;
    toDelete.push({ clusterName: cluster.name, reason, message });
  }

  const excess = [...unclaimed].sort(compareForExcessDeletion(pool)).slice(0, take(reserve - size));
  for (const cluster of excess) {
    toDelete.push({
      clusterName: cluster.name,
      reason: "Excess",
      message: `The pool has more than ${size} unclaimed clusters`,
    });
  }

  // Steady: nothing in flight and nothing else due. With budget left, no creation means size is reached or
  // maxSize holds the pool below it; a pool capped by maxSize still gets its stale clusters replaced.
  const steady =
    buckets.installing.length === 0 &&
    buckets.deleting.length === 0 &&
    buckets.released.length === 0 &&
    buckets.broken.length === 0 &&
    toCreate === 0 &&
    toDelete.length === 0;
  const staleCandidates = buckets.stale.filter((c) => !assigned.has(c.name)).sort(compareForStaleReplacement);
  const stale = steady && staleCandidates.length > 0 && take(1) === 1 ? staleCandidates[0] : undefined;
  if (stale !== undefined) {
    toDelete.push({
      clusterName: stale.name,
      reason: "Stale",
      message: `Cluster ${stale.name} was built from an older template; replacing it`,
    });
  }

  const used = toCreate + toDelete.length;
  return {
    toCreate,
    toDelete,
    budget: { limit, inFlight, available: limit === null ? null : available, used },
    reserve,
    nextReplacementAt: allowance?.nextAt,
  };
}
