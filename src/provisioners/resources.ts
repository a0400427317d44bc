import type { ResourceRef } from "../runtime/resource.js";

const slipway = (kind: string, plural: string): ResourceRef => ({ group: "slipway.dev", version: "v1alpha1", kind, plural, namespaced: true });

export const clusterDeploymentResource = slipway("ClusterDeployment", "clusterdeployments");
export const clusterPoolResource = slipway("ClusterPool", "clusterpools");
export const clusterClaimResource = slipway("ClusterClaim", "clusterclaims");
export const secretResource: ResourceRef = { group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true };
export const namespaceResource: ResourceRef = { group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false };
export const roleResource: ResourceRef = { group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", namespaced: true };
export const roleBindingResource: ResourceRef = { group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding", plural: "rolebindings", namespaced: true };
