import { clusterView, type ClusterObject } from "./cluster-view.js";
import { clusterPoolRefSetByPool } from "./pool-membership.js";
import { platformOf, regionOf } from "./platform.js";

/** OCM's cluster-set label on a ManagedCluster. */
export const CLUSTER_SET_LABEL = "cluster.open-cluster-management.io/clusterset";
export const PLATFORM_LABEL = "slipway.dev/platform";
export const REGION_LABEL = "slipway.dev/region";
/** Same key as the label a pool puts on its ClusterDeployments. */
export const CLUSTER_POOL_LABEL = "slipway.dev/cluster-pool";
/** OCM puts `name=<cluster>` on every ManagedCluster. */
export const CLUSTER_NAME_LABEL = "name";

/**
 * The labels a cluster is selected by (BootstrapPolicy.clusterSelector, like an OCM Placement over
 * ManagedClusters): the ClusterDeployment's own labels, then spec.registration.labels, then what Slipway
 * derives: the cluster set (default "default"), platform, region, pool and name. Derived keys win, so a
 * spec cannot pretend to be in another cluster set or pool. Read from the ClusterDeployment alone, so
 * selection works whether or not registration with a hub is enabled.
 */
export function clusterLabels(cd: ClusterObject): Record<string, string> {
  const labels: Record<string, string> = {
    ...(cd.metadata.labels ?? {}),
    ...(cd.spec.registration?.labels ?? {}),
  };
  labels[CLUSTER_SET_LABEL] = cd.spec.registration?.clusterSet ?? "default";
  const platform = platformOf(cd.spec);
  if (platform) labels[PLATFORM_LABEL] = platform;
  const region = regionOf(cd.spec);
  if (region) labels[REGION_LABEL] = region;
  // A hand-written clusterPoolRef is never trusted (pool-membership.ts).
  const pool = clusterPoolRefSetByPool(cd) ? clusterView(cd).clusterPoolRef?.poolName : undefined;
  if (pool) labels[CLUSTER_POOL_LABEL] = pool;
  else delete labels[CLUSTER_POOL_LABEL];
  if (cd.metadata.name) labels[CLUSTER_NAME_LABEL] = cd.metadata.name;
  return labels;
}
