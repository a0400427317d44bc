/** The tag keys every cloud resource of a cluster carries, whatever the cloud spells them as. */
export const TAG_INFRA_ID = "slipway.dev/infra-id";
export const TAG_CLUSTER_UID = "slipway.dev/cluster-deployment-uid";
export const TAG_CLUSTER_NAME = "slipway.dev/cluster-name";

export interface ClusterIdentity {
  clusterName: string;
  infraID: string;
  clusterUID: string;
}

/**
 * The tags of every resource of a cluster: the user's, then Slipway's, which win (a user tag cannot hide which
 * cluster a resource belongs to).
 */
export function clusterTags(
  identity: ClusterIdentity,
  userTags: Record<string, string> = {},
): Record<string, string> {
  return {
    ...userTags,
    [TAG_CLUSTER_NAME]: identity.clusterName,
    [TAG_INFRA_ID]: identity.infraID,
    [TAG_CLUSTER_UID]: identity.clusterUID,
  };
}

/**
 * The same as GCP labels, whose keys and values allow only lower-case letters, digits, '-' and '_' (63 at most):
 * Slipway's keys lose their domain and slash (slipway-infra-id). User labels are checked by admission already.
 */
export function clusterLabels(
  identity: ClusterIdentity,
  userLabels: Record<string, string> = {},
): Record<string, string> {
  const label = (value: string) =>
    value
      .toLowerCase()
      .replace(/[^-a-z0-9_]/g, "-")
      .slice(0, 63);
  return {
    ...userLabels,
    "slipway-cluster-name": label(identity.clusterName),
    "slipway-infra-id": label(identity.infraID),
    "slipway-cluster-deployment-uid": label(identity.clusterUID),
  };
}
