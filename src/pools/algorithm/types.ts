/**
 * The pool algorithm's own view of a ClusterPool, its ClusterDeployments and its ClusterClaims. The controller
 * maps the API objects into these shapes; the algorithm never sees a Kubernetes object, so it stays pure and
 * is tested from plain literals.
 */
import type { ReplacementBudget } from "./churn.js";

/** What a cluster is doing now (ClusterDeployment `status.powerState`). */
export type ClusterPowerState =
  "Provisioning" | "Running" | "Starting" | "Stopping" | "Hibernating" | "Unknown";

/** What the cluster has been asked to do (ClusterDeployment `spec.powerState`). */
export type DesiredPowerState = "Running" | "Hibernating";

export interface PoolView {
  /** Unclaimed clusters the pool keeps, installing or installed. */
  size: number;
  /** Cap on every cluster of the pool: unclaimed, claimed, broken and still being deleted. Absent: no cap. */
  maxSize?: number;
  /** Cap on provisions + deprovisions in flight at once. Absent: unlimited. */
  maxConcurrent?: number;
  /** Unclaimed clusters kept Running (the rest hibernate) on top of one per pending claim. */
  runningCount: number;
  /** Hash of the pool's current template; a cluster built from another hash is stale. */
  templateHash: string;
  /** The decision's clock. Passed in so the algorithm stays deterministic. */
  now: Date;
  /** A cluster asked to run that is not ready this long after `resumingSince` is broken. Absent or 0: never. */
  resumeTimeoutMs?: number;
  /** When broken clusters were last replaced (the pool's status keeps them), for the replacement budget. */
  recentReplacements?: readonly Date[];
  /** Absent: DEFAULT_REPLACEMENT_BUDGET. */
  replacementBudget?: ReplacementBudget;
}

export interface ClusterView {
  name: string;
  createdAt: Date;
  /** The pool template hash this cluster was created from. */
  templateHash: string;
  /** The install finished (Hive's `spec.installed`). */
  provisioned: boolean;
  powerState: ClusterPowerState;
  desiredPowerState: DesiredPowerState;
  /** Terminal failure (the `Stalled` condition): retrying will not help. */
  stalled: boolean;
  /** The Stalled condition's reason and message, which a failing template's pool repeats. */
  stalledReason?: string;
  stalledMessage?: string;
  /** `metadata.deletionTimestamp` is set: a deprovision is in flight. */
  deleting: boolean;
  /** The pool's clusters must pass bootstrap before a claim may use them. */
  bootstrapRequired: boolean;
  bootstrapped: boolean;
  /**
   * The claim this cluster is bound to (`spec.clusterPoolRef.claimName`). Claims live in the pool's namespace,
   * as in Hive, so a name identifies one. The cluster side of a binding is the source of truth: the controller
   * writes it before the claim's status.
   */
  claimName?: string;
  /** When the cluster was last asked to go from not running to Running and has not been ready since. */
  resumingSince?: Date;
  /**
   * A ClusterFailover resumed the cluster and holds it running (annotation slipway.dev/failover): runningCount
   * never hibernates it. Remove the annotation to hand it back to the pool.
   */
  heldRunning?: boolean;
}

export interface ClaimView {
  name: string;
  namespace: string;
  createdAt: Date;
  /** `metadata.deletionTimestamp` is set. */
  deleting: boolean;
  /** From the claim's lifetime; at or after it the claim is expired and its cluster is deleted. */
  expiresAt?: Date;
  /** `status` of the claim: the cluster it was told about, if any. */
  assignedCluster?: string;
}

/** Why a claimed cluster goes back to nobody, which for a pool cluster means deletion (a used cluster is never reused). */
export type ReleaseReason = "ClaimDeleted" | "ClaimExpired" | "ClaimNotFound" | "ClaimConflict";

export type BrokenReason = "Stalled" | "ResumeTimeout";

export type DeletionReason = ReleaseReason | BrokenReason | "Excess" | "Stale";
