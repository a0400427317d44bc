import type { ClusterClaim, ClusterDeployment } from "../../api/index.js";
import type { ControllerRegistration } from "../../runtime/controller.js";
import type { Reconciler } from "../../runtime/reconciler.js";
import type { KubeObject } from "../../runtime/resource.js";
import { clusterDeploymentResource, clusterClaimResource, clusterPoolResource } from "../../api/resources.js";
import { POOL_LABEL } from "../labels.js";
import { buildClaimScope, reconcileClaim } from "./phases.js";
import type { ClaimControllerSettings, ClaimScope } from "./scope.js";
import { computeClaimStatus } from "./status.js";

export const CLUSTER_CLAIM_CONTROLLER = "cluster-claim";

/**
 * No finalizer: a deleted claim needs no cleanup of its own. Its Secret, Role and RoleBinding are owned by it
 * (garbage collected) and the pool deletes its cluster once it sees the claim gone.
 */
export function clusterClaimReconciler(
  settings: ClaimControllerSettings,
): Reconciler<ClusterClaim, ClaimScope> {
  return {
    buildScope: (claim, context) => buildClaimScope(claim, context, settings),
    reconcileNormal: reconcileClaim,
    reconcileDelete: async () => ({}),
    computeStatus: computeClaimStatus,
  };
}

/** A pool cluster -> the claim it is bound to (claims live in the pool's namespace). */
export function claimOfCluster(object: KubeObject): string[] {
  const ref = (object as ClusterDeployment).spec?.clusterPoolRef;
  return ref?.claimName ? [`${ref.namespace}/${ref.claimName}`] : [];
}

export interface ClaimRegistrationOptions {
  settings: ClaimControllerSettings;
  /**
   * Keys of the claims naming pool `name` in `namespace` that wait for a cluster (read from the claim informer's
   * cache). Bound claims follow their ClusterDeployment instead; they see pool changes on their next pass.
   */
  claimsOfPool(namespace: string, name: string): string[];
  concurrency?: number;
}

export function clusterClaimRegistration(
  options: ClaimRegistrationOptions,
): ControllerRegistration<ClusterClaim, ClaimScope> {
  return {
    name: CLUSTER_CLAIM_CONTROLLER,
    watches: {
      primary: clusterClaimResource,
      secondary: [
        { resource: clusterDeploymentResource, labelSelector: POOL_LABEL, mapToPrimary: claimOfCluster },
        // A claim made before its pool binds once the pool appears; pool status changes refresh Pending messages.
        {
          resource: clusterPoolResource,
          mapToPrimary: (pool) =>
            pool.metadata?.namespace && pool.metadata.name
              ? options.claimsOfPool(pool.metadata.namespace, pool.metadata.name)
              : [],
        },
      ],
    },
    reconciler: clusterClaimReconciler(options.settings),
    concurrency: options.concurrency ?? 4,
  };
}
