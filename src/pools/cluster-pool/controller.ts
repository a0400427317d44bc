import type { ClusterClaim, ClusterDeployment, ClusterPool } from "../../api/index.js";
import type { ControllerRegistration } from "../../runtime/controller.js";
import type { Reconciler } from "../../runtime/reconciler.js";
import type { KubeObject } from "../../runtime/resource.js";
import { clusterClaimResource, clusterDeploymentResource, clusterPoolResource } from "../../api/resources.js";
import { CLUSTER_POOL_FINALIZER, POOL_LABEL } from "../labels.js";
import { buildPoolScope, deletePool, reconcilePool } from "./phases.js";
import type { PoolControllerSettings, PoolScope } from "./scope.js";
import { computePoolStatus } from "./status.js";

export const CLUSTER_POOL_CONTROLLER = "cluster-pool";

export function clusterPoolReconciler(settings: PoolControllerSettings): Reconciler<ClusterPool, PoolScope> {
  return {
    finalizer: CLUSTER_POOL_FINALIZER,
    buildScope: (pool, context) => buildPoolScope(pool, context, settings),
    reconcileNormal: reconcilePool,
    reconcileDelete: deletePool,
    computeStatus: computePoolStatus,
  };
}

/** A pool cluster -> its pool (clusterPoolRef, or the label while a half-written object lacks it). */
export function poolOfCluster(object: KubeObject): string[] {
  const cd = object as ClusterDeployment;
  const ref = cd.spec?.clusterPoolRef;
  if (ref) return [`${ref.namespace}/${ref.poolName}`];
  const label = cd.metadata?.labels?.[POOL_LABEL];
  return label && cd.metadata?.namespace ? [`${cd.metadata.namespace}/${label}`] : [];
}

/** A claim -> the pool it names, in the claim's namespace. */
export function poolOfClaim(object: KubeObject): string[] {
  const claim = object as ClusterClaim;
  const pool = claim.spec?.clusterPoolName;
  return pool && claim.metadata?.namespace ? [`${claim.metadata.namespace}/${pool}`] : [];
}

export function clusterPoolRegistration(
  settings: PoolControllerSettings,
  concurrency = 2,
): ControllerRegistration<ClusterPool, PoolScope> {
  return {
    name: CLUSTER_POOL_CONTROLLER,
    watches: {
      primary: clusterPoolResource,
      secondary: [
        { resource: clusterDeploymentResource, labelSelector: POOL_LABEL, mapToPrimary: poolOfCluster },
        { resource: clusterClaimResource, mapToPrimary: poolOfClaim },
      ],
    },
    reconciler: clusterPoolReconciler(settings),
    concurrency,
  };
}
