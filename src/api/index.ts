/**
 * The Slipway API, group slipway.dev, version v1alpha1: schemas, the TypeScript types derived from them and
 * the CRDs generated from them. Everything the rest of the code needs is exported here.
 */
import { bootstrapPolicyKind } from "./bootstrap-policy.js";
import { clusterClaimKind } from "./cluster-claim.js";
import { clusterDeploymentKind } from "./cluster-deployment.js";
import { clusterFailoverKind } from "./cluster-failover.js";
import { clusterPoolKind } from "./cluster-pool.js";
import { crdOf, type CustomResourceDefinition, type KindDefinition } from "./crd.js";
import { hostedClusterKind } from "./hosted-cluster.js";
import { nodePoolKind } from "./node-pool.js";

export * from "./bootstrap-policy.js";
export * from "./cluster-claim.js";
export * from "./cluster-deployment.js";
export * from "./cluster-failover.js";
export * from "./cluster-view.js";
export * from "./resume-readiness.js";
export * from "./cluster-pool.js";
export * from "./common.js";
export * from "./crd.js";
export * from "./hosted-cluster.js";
export * from "./node-pool.js";
export * from "./names.js";
export * from "./object.js";
export * from "./pool-membership.js";
export * from "./cluster-labels.js";
export * from "./operation-status.js";
export * from "./resources.js";
export * from "./platform.js";
export { s, Schema, ObjectSchema } from "./schema.js";
export { applyDefaults, parse, validate } from "./validate.js";
export type { Infer, InferInput, JSONSchemaProps, ValidationRule, Presence } from "./schema.js";

/** Every kind of the API, in the order of the API reference. */
export const kinds: readonly KindDefinition[] = [
  clusterDeploymentKind,
  clusterPoolKind,
  clusterClaimKind,
  hostedClusterKind,
  nodePoolKind,
  bootstrapPolicyKind,
  clusterFailoverKind,
];

export type Kind =
  | "ClusterDeployment"
  | "ClusterPool"
  | "ClusterClaim"
  | "HostedCluster"
  | "NodePool"
  | "BootstrapPolicy"
  | "ClusterFailover";

/** The plural resource name of each kind, for REST paths and kubectl. */
export const plurals: Record<Kind, string> = {
  ClusterDeployment: "clusterdeployments",
  ClusterPool: "clusterpools",
  ClusterClaim: "clusterclaims",
  HostedCluster: "hostedclusters",
  NodePool: "nodepools",
  BootstrapPolicy: "bootstrappolicies",
  ClusterFailover: "clusterfailovers",
};

/** The definition of a kind by name. */
export function kindDefinition(kind: Kind): KindDefinition {
  return kinds.find((k) => k.kind === kind)!;
}

/** All CustomResourceDefinitions of the API. */
export function crds(): CustomResourceDefinition[] {
  return kinds.map(crdOf);
}
export * from "./power-usage.js";
export * from "./protected-objects.js";
