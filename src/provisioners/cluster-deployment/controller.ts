import type { ClusterDeployment } from "../../api/index.js";
import type { ControllerDependencies } from "../../queue/controller-jobs.js";
import type { ControllerRegistration } from "../../runtime/controller.js";
import type { Manager } from "../../runtime/manager.js";
import type { Reconciler, StatusInput } from "../../runtime/reconciler.js";
import { clusterDeploymentResource, secretResource } from "../../api/resources.js";
import { afterDeletePass, afterNormalPass, registerStackResource } from "../stack-resource/index.js";
import { reconcileDelete, reconcileNormal } from "./phases.js";
import type { ClusterDeploymentScope, Dependencies } from "./scope.js";
import { computeStatus, ownedConditions } from "./status.js";

export const CLUSTER_DEPLOYMENT_CONTROLLER = "cluster-deployment";
export const CLUSTER_DEPLOYMENT_FINALIZER = "slipway.dev/cluster-deployment";

type Deps = Omit<Dependencies, "event">;

export function clusterDeploymentReconciler(
  deps: Deps,
): Reconciler<ClusterDeployment, ClusterDeploymentScope> {
  return {
    finalizer: CLUSTER_DEPLOYMENT_FINALIZER,
    buildScope(cd, context) {
      return {
        cd,
        now: context.now,
        status: structuredClone(cd.status ?? {}),
        deps: {
          ...deps,
          event: (object, type, reason, message) => context.events.record(object, { type, reason, message }),
        },
      };
    },
    async reconcileNormal(scope) {
      await reconcileNormal(scope);
      return afterNormalPass(scope);
    },
    async reconcileDelete(scope) {
      return afterDeletePass(scope, await reconcileDelete(scope));
    },
    computeStatus(input: StatusInput<ClusterDeployment, ClusterDeploymentScope>) {
      if (!input.scope) return ownedStatus(input.object.status ?? {});
      const status = computeStatus(input.scope, input.error);
      delete status.observedGeneration; // the harness sets it, only after a pass that handled the generation
      return status as Record<string, unknown>;
    },
  };
}

/** What this controller writes: everything but the records other controllers own. */
function ownedStatus(status: NonNullable<ClusterDeployment["status"]>): Record<string, unknown> {
  const owned: Record<string, unknown> = { ...status };
  for (const field of ["registration", "bootstrap", "power"]) delete owned[field];
  owned.conditions = ownedConditions(status.conditions);
  return owned;
}

export function clusterDeploymentRegistration(
  deps: Deps,
  concurrency: number,
): ControllerRegistration<ClusterDeployment, ClusterDeploymentScope> {
  return {
    name: CLUSTER_DEPLOYMENT_CONTROLLER,
    watches: {
      primary: clusterDeploymentResource,
      // The kubeconfig Secret. A missing credentials Secret is polled (CredentialsSecretMissing requeues).
      owns: [secretResource],
    },
    reconciler: clusterDeploymentReconciler(deps),
    concurrency,
  };
}

/**
 * Registers the ClusterDeployment controller: its stack jobs go to the "pulumi" queue, and their events (started,
 * progress, finished) reconcile the cluster at once instead of at the next poll.
 */
export function register(manager: Manager, deps: ControllerDependencies): void {
  registerStackResource(manager, deps, "ClusterDeployment", clusterDeploymentRegistration);
}
