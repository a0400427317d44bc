import { clusterView, type ClusterObject } from "./cluster-view.js";

/** The field manager a ClusterPool's controller creates and binds its ClusterDeployments with. */
export const CLUSTER_POOL_FIELD_MANAGER = "slipway-cluster-pool";

interface ManagedFieldsEntry {
  manager?: string;
  fieldsV1?: { "f:spec"?: { "f:clusterPoolRef"?: Record<string, unknown> } };
}

/**
 * Whether `spec.clusterPoolRef` was written by the pool controller, as the API server's managedFields record it.
 * Admission cannot tell who creates an object, so a person can write a clusterPoolRef on a ClusterDeployment of
 * their own (a copied manifest, say); such a reference is never trusted: the pool would otherwise hand the
 * cluster to a claim or delete it as excess.
 */
export function clusterPoolRefSetByPool(cd: ClusterObject): boolean {
  if (!clusterView(cd).clusterPoolRef) return false;
  const entries = (cd.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  return entries.some(
    (e) =>
      e.manager === CLUSTER_POOL_FIELD_MANAGER &&
      e.fieldsV1?.["f:spec"]?.["f:clusterPoolRef"]?.["f:poolName"] !== undefined,
  );
}
