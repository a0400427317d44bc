import { GROUP, VERSION } from "./common.js";
import type { ResourceRef } from "./object.js";

/** The resources Slipway reads and writes, named once. */
const slipway = (kind: string, plural: string): ResourceRef => ({
  group: GROUP,
  version: VERSION,
  kind,
  plural,
  namespaced: true,
});

export const clusterDeploymentResource = slipway("ClusterDeployment", "clusterdeployments");
export const clusterPoolResource = slipway("ClusterPool", "clusterpools");
export const clusterClaimResource = slipway("ClusterClaim", "clusterclaims");
export const hostedClusterResource = slipway("HostedCluster", "hostedclusters");
export const nodePoolResource = slipway("NodePool", "nodepools");
export const bootstrapPolicyResource = slipway("BootstrapPolicy", "bootstrappolicies");
export const clusterFailoverResource = slipway("ClusterFailover", "clusterfailovers");

/** Well-known core kinds. */
export const coreResources = {
  secrets: { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true },
  configMaps: { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true },
  namespaces: { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false },
  events: { group: "", version: "v1", plural: "events", kind: "Event", namespaced: true },
  leases: { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true },
  roles: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "roles",
    kind: "Role",
    namespaced: true,
  },
  roleBindings: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "rolebindings",
    kind: "RoleBinding",
    namespaced: true,
  },
} as const satisfies Record<string, ResourceRef>;

export const secretResource: ResourceRef = coreResources.secrets;
export const namespaceResource: ResourceRef = coreResources.namespaces;
export const roleResource: ResourceRef = coreResources.roles;
export const roleBindingResource: ResourceRef = coreResources.roleBindings;
