import { derivedName } from "../api/names.js";
import { createHash, randomInt } from "node:crypto";
import type { ClusterTemplate } from "../api/index.js";
import { canonicalJson } from "../runtime/status-patch.js";

/** On every ClusterDeployment a pool creates: the pool's name (the pool is in the same namespace). */
export const POOL_LABEL = "slipway.dev/cluster-pool";
/** The hash of the pool template a cluster was created from; another hash means the cluster is stale. */
export const TEMPLATE_HASH_ANNOTATION = "slipway.dev/template-hash";
export const CLUSTER_POOL_FINALIZER = "slipway.dev/cluster-pool";
/** The ClusterDeployment condition the bootstrap controller writes; a claim gets its cluster's kubeconfig once True. */
export const BOOTSTRAPPED = "Bootstrapped";
/** The field manager of what the claim controller applies (kubeconfig Secret, Role, RoleBinding): its own. */
export const CLAIM_FIELD_MANAGER = "slipway-cluster-claim";

/** sha256 of the template's canonical JSON, 16 hex characters: equal templates hash equal whatever their key order. */
export function templateHash(template: ClusterTemplate): string {
  return createHash("sha256").update(canonicalJson(template)).digest("hex").slice(0, 16);
}

const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** `<pool>-<5 random>`, like Kubernetes' generateName suffixes (no vowels: no accidental words). */
export function poolClusterName(poolName: string): string {
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return `${poolName}-${suffix}`;
}

/** The claim's copy of its cluster's kubeconfig, in the claim's namespace. */
export function claimKubeconfigSecretName(claimName: string): string {
  return derivedName(claimName, "-kubeconfig");
}

/** The Role and RoleBinding that let the claim's subjects read that Secret. */
export function claimAccessName(claimName: string): string {
  return derivedName(claimName, "-kubeconfig-reader");
}

/** The Secret the ClusterDeployment controller writes the admin kubeconfig to, when the status does not name it. */
export function adminKubeconfigSecretName(clusterDeploymentName: string): string {
  return derivedName(clusterDeploymentName, "-admin-kubeconfig");
}
