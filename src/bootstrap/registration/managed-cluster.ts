import { clusterView, platformOf, regionOf, type ClusterObject } from "../../api/index.js";
import type { KubeObject } from "../../runtime/resource.js";
import {
  bootstrapRoleName,
  BOOTSTRAP_SERVICE_ACCOUNT,
  CLUSTER_SET_LABEL,
  MANAGED_CLUSTER_LABEL,
  OWNER_ANNOTATION,
  OWNER_UID_LABEL,
  PLATFORM_LABEL,
  POOL_LABEL,
  REGION_LABEL,
} from "./names.js";

/**
 * The lease OCM's agent renews. OCM's default is 60 s, which reports a lost cluster 5 x 60 s = 5 minutes after
 * its last renewal. Slipway chooses 30 s: a dead agent or cluster shows within 2.5 minutes, at one hub write per
 * cluster every ~30 s (about 33 writes/s for 1,000 clusters, which an API server takes easily). A platform whose
 * agent is simulated names its own, longer lease (hubJoin.leaseDurationSeconds of stacks/simulated). Configurable:
 * SLIPWAY_REGISTRATION_LEASE_SECONDS.
 */
export const DEFAULT_LEASE_DURATION_SECONDS = 30;

export interface ManagedClusterObject extends KubeObject {
  spec?: {
    hubAcceptsClient?: boolean;
    leaseDurationSeconds?: number;
    managedClusterClientConfigs?: { url: string; caBundle?: string }[];
  };
  status?: {
    conditions?: {
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }[];
  };
}

/** The ManagedCluster's name: the cluster's name on its platform (a DNS label, so also a valid namespace). */
export function managedClusterNameOf(cd: ClusterObject): string {
  return clusterView(cd).clusterName;
}

/** Labels that say which ClusterDeployment an object on the hub was created for. */
export function ownerLabels(cd: ClusterObject): Record<string, string> {
  return { [OWNER_UID_LABEL]: cd.metadata!.uid!, [MANAGED_CLUSTER_LABEL]: managedClusterNameOf(cd) };
}

export function ownerAnnotations(cd: ClusterObject): Record<string, string> {
  return { [OWNER_ANNOTATION]: `${cd.metadata!.namespace}/${cd.metadata!.name}` };
}

/** Whether a hub object was created for this ClusterDeployment (and not for another, or by someone else). */
export function ownedBy(object: KubeObject | undefined, cd: ClusterObject): boolean {
  return object?.metadata?.labels?.[OWNER_UID_LABEL] === cd.metadata!.uid;
}

/** Spec labels first, then Slipway's own (so a spec label cannot move a cluster to another set). */
export function managedClusterLabels(cd: ClusterObject): Record<string, string> {
  const registration = cd.spec.registration;
  const region = regionOf(cd.spec);
  const pool = clusterView(cd).clusterPoolRef?.poolName;
  return {
    ...(registration?.labels ?? {}),
    [PLATFORM_LABEL]: platformOf(cd.spec) ?? "",
    ...(region ? { [REGION_LABEL]: region } : {}),
    ...(pool && pool.length <= 63 ? { [POOL_LABEL]: pool } : {}),
    [CLUSTER_SET_LABEL]: registration?.clusterSet ?? "default",
    ...ownerLabels(cd),
  };
}

/** The ManagedCluster Slipway applies (server-side apply): hubAcceptsClient true, because Slipway provisioned it. */
export function desiredManagedCluster(
  cd: ClusterObject,
  endpoint: { apiURL: string; caBundle?: string },
  leaseDurationSeconds: number,
): ManagedClusterObject {
  return {
    apiVersion: "cluster.open-cluster-management.io/v1",
    kind: "ManagedCluster",
    metadata: {
      name: managedClusterNameOf(cd),
      labels: managedClusterLabels(cd),
      annotations: ownerAnnotations(cd),
    },
    spec: {
      hubAcceptsClient: true,
      leaseDurationSeconds,
      managedClusterClientConfigs: [
        { url: endpoint.apiURL, ...(endpoint.caBundle ? { caBundle: endpoint.caBundle } : {}) },
      ],
    },
  };
}

/**
 * What one cluster's bootstrap identity may do on the hub, and nothing more: create and follow certificate
 * signing requests (CSRs have generated names, so resourceNames cannot narrow create; approval checks who asked,
 * see csr-approval.ts) and read its own ManagedCluster. It cannot create, update or accept ManagedClusters:
 * Slipway creates the cluster's and sets hubAcceptsClient itself.
 */
export function bootstrapRbac(cd: ClusterObject): KubeObject[] {
  const name = managedClusterNameOf(cd);
  const metadata = { labels: ownerLabels(cd), annotations: ownerAnnotations(cd) };
  const role = bootstrapRoleName(name);
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: BOOTSTRAP_SERVICE_ACCOUNT, namespace: name, ...metadata },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: role, ...metadata },
      rules: [
        {
          apiGroups: ["certificates.k8s.io"],
          resources: ["certificatesigningrequests"],
          verbs: ["create", "get", "list", "watch"],
        },
        {
          apiGroups: ["cluster.open-cluster-management.io"],
          resources: ["managedclusters"],
          resourceNames: [name],
          verbs: ["get", "list", "watch"],
        },
      ],
    } as KubeObject,
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: role, ...metadata },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: [{ kind: "ServiceAccount", name: BOOTSTRAP_SERVICE_ACCOUNT, namespace: name }],
    } as KubeObject,
  ];
}
