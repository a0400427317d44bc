import {
  CLUSTER_KINDS,
  clusterResources,
  type BootstrapPolicy,
  type ClusterObject,
} from "../../api/index.js";
import { bootstrapPolicyResource } from "../../api/resources.js";
import type { ControllerRegistration } from "../../runtime/controller.js";
import type { Reconciler } from "../../runtime/reconciler.js";
import type { KubeObject } from "../../runtime/resource.js";
import { buildPolicyScope, reconcilePolicy } from "./phases.js";
import type { PolicyControllerSettings, PolicyScope } from "./scope.js";
import { computePolicyStatus } from "./status.js";

export const BOOTSTRAP_POLICY_CONTROLLER = "bootstrap-policy";
/** A policy is reconciled at most about once a second for a stream of cluster changes and job events. */
export const POLICY_BATCH_MS = 1_000;

/**
 * No finalizer: a deleted policy needs no cleanup. Its queued evaluations find it gone and do nothing; what
 * enforce created on the spokes stays (OCM's default too), and the clusters' Bootstrapped forgets it.
 */
export function bootstrapPolicyReconciler(
  settings: PolicyControllerSettings,
): Reconciler<BootstrapPolicy, PolicyScope> {
  return {
    buildScope: (policy, context) => buildPolicyScope(policy, context, settings),
    reconcileNormal: reconcilePolicy,
    reconcileDelete: async () => ({}),
    computeStatus: computePolicyStatus,
  };
}

export interface PolicyRegistrationOptions {
  settings: PolicyControllerSettings;
  /** Keys of the policies in a namespace (from the policy informer's cache). */
  policiesIn(namespace: string): string[];
  concurrency?: number;
}

/**
 * A ClusterDeployment's change (created, labelled, provisioned, resumed, deleted) reconciles every policy of its
 * namespace: any of them may select it now or may have selected it before.
 */
export function bootstrapPolicyRegistration(
  options: PolicyRegistrationOptions,
): ControllerRegistration<BootstrapPolicy, PolicyScope> {
  return {
    name: BOOTSTRAP_POLICY_CONTROLLER,
    watches: {
      primary: bootstrapPolicyResource,
      secondary: CLUSTER_KINDS.map((kind) => ({
        resource: clusterResources[kind],
        delayMs: POLICY_BATCH_MS,
        mapToPrimary: (cd: KubeObject) =>
          cd.metadata?.namespace ? options.policiesIn((cd as ClusterObject).metadata.namespace!) : [],
      })),
    },
    reconciler: bootstrapPolicyReconciler(options.settings),
    concurrency: options.concurrency ?? 2,
  };
}
