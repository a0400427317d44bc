export type {
  BrokenReason,
  ClaimView,
  ClusterPowerState,
  ClusterView,
  DeletionReason,
  DesiredPowerState,
  PoolView,
  ReleaseReason,
} from "./types.js";
export { isReady, isStale, readinessRank } from "./order.js";
export {
  isClaimExpired,
  sortIntoBuckets,
  totalClusters,
  type BrokenCluster,
  type ClaimedCluster,
  type PoolBuckets,
  type ReleasedCluster,
} from "./buckets.js";
export { assignClaims, type Assignment, type AssignmentResult } from "./assignment.js";
export { planBudget, type BudgetPlan, type BudgetReport, type Deletion } from "./budget.js";
export { powerDecisions, type PowerPlan } from "./power.js";
export {
  DEFAULT_REPLACEMENT_BUDGET,
  replacementAllowance,
  templateFailure,
  type ReplacementAllowance,
  type ReplacementBudget,
  type TemplateFailure,
} from "./churn.js";
export { decide, type PoolConditionHints, type PoolCounts, type PoolDecision } from "./decide.js";
