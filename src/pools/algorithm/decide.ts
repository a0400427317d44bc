import { assignClaims, type Assignment } from "./assignment.js";
import { sortIntoBuckets, totalClusters } from "./buckets.js";
import { planBudget, type BudgetReport, type Deletion } from "./budget.js";
import { templateFailure, type TemplateFailure } from "./churn.js";
import { powerDecisions } from "./power.js";
import type { ClaimView, ClusterView, PoolView } from "./types.js";

/** The pool's status counts, as they stand once this pass's assignments are written. */
export interface PoolCounts {
  /** Unclaimed clusters installing or installed (ready + standby + installing); broken ones are not counted. */
  size: number;
  ready: number;
  standby: number;
  installing: number;
  claimed: number;
  deleting: number;
  broken: number;
  /** Unclaimed, not broken, not deleting, from an older template. */
  stale: number;
  /** Bound to a claim that was deleted, expired or is gone, and not yet being deleted. */
  released: number;
}

export interface PoolConditionHints {
  /** False when the pool holds `maxSize` clusters (counting this pass's creations): Hive's MaxCapacity. */
  capacityAvailable: boolean;
  /** No unclaimed cluster is stale: Hive's AllClustersCurrent. */
  allClustersCurrent: boolean;
}

export interface PoolDecision {
  assignments: Assignment[];
  /** Claims still waiting for a cluster, FIFO. */
  pendingClaims: string[];
  /** Expired claims for the claim controller to delete. */
  expiredClaims: string[];
  /** Claims whose cluster went away; they are not silently given another one. */
  lostClaims: string[];
  toCreate: number;
  /** Of `toCreate`, how many start Running (the rest are created Hibernating). */
  toCreateRunning: number;
  toDelete: Deletion[];
  toResume: string[];
  toHibernate: string[];
  counts: PoolCounts;
  budget: BudgetReport;
  /** Provisions + deprovisions started by this pass (`budget.used`). */
  budgetUsed: number;
  conditions: PoolConditionHints;
  /** The current template cannot provision: nothing is created until it or its dependency is fixed. */
  templateFailure?: TemplateFailure;
  /** Broken clusters wait for the replacement budget until then: the next pass is due at the latest. */
  nextReplacementAt?: Date;
}

/**
 * One pass of the ClusterPool algorithm: buckets, FIFO assignment, the maxConcurrent budget, then power.
 * Pure and deterministic: the same views give the same decision, whatever order they come in.
 */
export function decide(
  pool: PoolView,
  clusters: readonly ClusterView[],
  claims: readonly ClaimView[],
): PoolDecision {
  const buckets = sortIntoBuckets(pool, clusters, claims);
  const assignment = assignClaims(buckets);
  const failure = templateFailure(pool, clusters);
  const plan = planBudget(pool, buckets, assignment, failure);
  const power = powerDecisions(pool, buckets, assignment, plan);

  const assigned = new Set(assignment.assignments.map((a) => a.clusterName));
  const unassigned = (list: readonly ClusterView[]): number =>
    list.filter((c) => !assigned.has(c.name)).length;
  const ready = unassigned(buckets.ready);
  const standby = unassigned(buckets.standby);
  const stale = unassigned(buckets.stale);
  const counts: PoolCounts = {
    size: ready + standby + buckets.installing.length,
    ready,
    standby,
    installing: buckets.installing.length,
    claimed: buckets.claimed.length + assignment.assignments.length,
    deleting: buckets.deleting.length,
    broken: buckets.broken.length,
    stale,
    released: buckets.released.length,
  };

  return {
    assignments: assignment.assignments,
    pendingClaims: assignment.stillPending.map((claim) => claim.name),
    expiredClaims: buckets.expiredClaims.map((claim) => claim.name),
    lostClaims: buckets.lostClaims.map((claim) => claim.name),
    toCreate: plan.toCreate,
    toCreateRunning: power.toCreateRunning,
    toDelete: plan.toDelete,
    toResume: power.toResume,
    toHibernate: power.toHibernate,
    counts,
    budget: plan.budget,
    budgetUsed: plan.budget.used,
    conditions: {
      capacityAvailable: pool.maxSize === undefined || totalClusters(buckets) + plan.toCreate < pool.maxSize,
      allClustersCurrent: stale === 0,
    },
    templateFailure: failure,
    nextReplacementAt: plan.nextReplacementAt,
  };
}
