import type { ClusterClaim, ClusterDeployment, ClusterPool } from "../../api/index.js";
import type { ReconcileContext } from "../../runtime/reconciler.js";
import type { PoolDecision } from "../algorithm/index.js";

export interface PoolControllerSettings {
  /** Reconcile every pool this often without events: claim lifetimes, resume timeouts. */
  requeueAfterMs: number;
  /** A pool cluster asked to run and not ready this long after its resume started is replaced. Absent: never. */
  resumeTimeoutMs?: number;
}

/** What one pass of the pool controller read and decided; status.ts reports from it. */
export interface PoolScope {
  pool: ClusterPool;
  context: ReconcileContext;
  settings: PoolControllerSettings;
  templateHash: string;
  /** The pool's ClusterDeployments, read live (not from a cache) so a creation of the last pass is never missed. */
  clusters: ClusterDeployment[];
  /** Claims in the pool's namespace naming this pool. */
  claims: ClusterClaim[];
  decision?: PoolDecision;
  /** Broken clusters this pass deleted for replacement, for the replacement budget in status. */
  replacedAt?: Date[];
}
