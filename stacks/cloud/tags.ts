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
 * The same for clouds whose tag keys cannot hold Slipway's domain and slash (Azure refuses '/' in a tag name, GCP
 * allows only lower-case letters, digits, '-' and '_'): slipway-infra-id and so on. User tags come first again.
 */
export function clusterPlainTags(
  identity: ClusterIdentity,
  userTags: Record<string, string> = {},
  value: (v: string) => string = (v) => v,
): Record<string, string> {
  return {
    ...userTags,
    "slipway-cluster-name": value(identity.clusterName),
    "slipway-infra-id": value(identity.infraID),
    "slipway-cluster-deployment-uid": value(identity.clusterUID),
  };
}

/** GCP labels: plain keys, and values of lower-case letters, digits, '-' and '_', 63 at most. */
export function clusterLabels(
  identity: ClusterIdentity,
  userLabels: Record<string, string> = {},
): Record<string, string> {
  return clusterPlainTags(identity, userLabels, gcpLabelValue);
}

/** A GCP label value: lower-case letters, digits, '-' and '_', 63 at most. */
export function gcpLabelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^-a-z0-9_]/g, "-")
    .slice(0, 63);
}
