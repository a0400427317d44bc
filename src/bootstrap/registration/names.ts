/**
 * Names and labels of hub registration, in one place. A ManagedCluster is cluster-scoped and names a hub namespace
 * too, so it is named after spec.clusterName (what OCM, ACM and `clusteradm` users see) and carries its owner: a
 * second ClusterDeployment with the same clusterName in another namespace is refused with a condition
 * (ManagedClusterNameTaken), never given someone else's ManagedCluster.
 */
export const REGISTRATION_CONTROLLER = "registration";
export const REGISTRATION_FINALIZER = "slipway.dev/registration";

/** OCM's label of the ManagedClusterSet a cluster belongs to. */
export const CLUSTER_SET_LABEL = "cluster.open-cluster-management.io/clusterset";
/** OCM's label on the agent's certificate signing requests. */
export const CSR_CLUSTER_NAME_LABEL = "open-cluster-management.io/cluster-name";

/** On every hub object registration creates: the uid of the ClusterDeployment it was created for. */
export const OWNER_UID_LABEL = "slipway.dev/cluster-deployment-uid";
/** On every hub object registration creates: the ManagedCluster it belongs to (cleanup finds them by it). */
export const MANAGED_CLUSTER_LABEL = "slipway.dev/managed-cluster";
/** `namespace/name` of the owning ClusterDeployment, for people reading the hub. */
export const OWNER_ANNOTATION = "slipway.dev/cluster-deployment";

/** Labels Slipway sets on a ManagedCluster from the cluster's spec, for BootstrapPolicy selectors. */
export const PLATFORM_LABEL = "slipway.dev/platform";
export const REGION_LABEL = "slipway.dev/region";
export const POOL_LABEL = "slipway.dev/cluster-pool";

/** The per-cluster bootstrap identity: a ServiceAccount in the cluster's own hub namespace. */
export const BOOTSTRAP_SERVICE_ACCOUNT = "slipway-bootstrap";

export function bootstrapUser(clusterName: string): string {
  return `system:serviceaccount:${clusterName}:${BOOTSTRAP_SERVICE_ACCOUNT}`;
}

/** ClusterRole and ClusterRoleBinding of one cluster's bootstrap identity. */
export function bootstrapRoleName(clusterName: string): string {
  return `slipway:bootstrap:${clusterName}`;
}

/** On the spoke: where OCM's agent runs and reads its bootstrap kubeconfig. */
export const AGENT_NAMESPACE = "open-cluster-management-agent";
export const BOOTSTRAP_SECRET = "bootstrap-hub-kubeconfig";
export const HUB_KUBECONFIG_SECRET = "hub-kubeconfig-secret";

/** OCM's ManagedCluster condition types. */
export const OcmCondition = {
  HubAccepted: "HubAcceptedManagedCluster",
  Joined: "ManagedClusterJoined",
  Available: "ManagedClusterConditionAvailable",
} as const;
