import type { ResourceRef } from "../../runtime/resource.js";

/** The OCM and core kinds hub registration reads and writes. */
const ocm = (kind: string, plural: string, version = "v1", namespaced = false): ResourceRef => ({
  group: "cluster.open-cluster-management.io",
  version,
  kind,
  plural,
  namespaced,
});

export const managedClusterResource = ocm("ManagedCluster", "managedclusters");
export const managedClusterSetResource = ocm("ManagedClusterSet", "managedclustersets", "v1beta2");

const rbac = (kind: string, plural: string, namespaced: boolean): ResourceRef => ({
  group: "rbac.authorization.k8s.io",
  version: "v1",
  kind,
  plural,
  namespaced,
});

export const clusterRoleResource = rbac("ClusterRole", "clusterroles", false);
export const clusterRoleBindingResource = rbac("ClusterRoleBinding", "clusterrolebindings", false);
export const roleBindingResource = rbac("RoleBinding", "rolebindings", true);

export const serviceAccountResource: ResourceRef = {
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  plural: "serviceaccounts",
  namespaced: true,
};

export const csrResource: ResourceRef = {
  group: "certificates.k8s.io",
  version: "v1",
  kind: "CertificateSigningRequest",
  plural: "certificatesigningrequests",
  namespaced: false,
};

export const leaseResource: ResourceRef = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  namespaced: true,
};

export const crdResource: ResourceRef = {
  group: "apiextensions.k8s.io",
  version: "v1",
  kind: "CustomResourceDefinition",
  plural: "customresourcedefinitions",
  namespaced: false,
};
