import type { ClusterClaim, ClusterDeployment, ClusterPool } from "../../api/index.js";
import type { ReconcileContext } from "../../runtime/reconciler.js";

export interface ClaimControllerSettings {
  /** How often to look again while the bound cluster's kubeconfig Secret is not there yet. */
  kubeconfigPollMs: number;
  /** Upper bound of any requeue (the wait for a far expiry is cut into steps this long). */
  maxRequeueMs: number;
}

/** What one pass of the claim controller read and did; status.ts reports from it. */
export interface ClaimScope {
  claim: ClusterClaim;
  context: ReconcileContext;
  settings: ClaimControllerSettings;
  /** The pool the claim names; undefined when it does not exist (yet). */
  pool?: ClusterPool;
  /** The ClusterDeployment bound to the claim (its spec.clusterPoolRef.claimName names the claim). */
  cluster?: ClusterDeployment;
  assignedAt?: string;
  expiresAt?: string;
  /** Set once the claim's kubeconfig Secret has been written this pass. */
  kubeconfigSecretName?: string;
  /** The claim expired and was deleted this pass. */
  expired?: boolean;
}
