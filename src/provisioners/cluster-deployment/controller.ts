import type { ClusterDeployment } from "../../api/index.js";
import type { ControllerDependencies } from "../../queue/controller-jobs.js";
import type { ControllerRegistration } from "../../runtime/controller.js";
import type { Manager } from "../../runtime/manager.js";
import { clusterDeploymentResource } from "../../api/resources.js";
import { clusterStackRegistration, registerStackResource } from "../stack-resource/index.js";
import { reconcileDelete, reconcileNormal } from "./phases.js";
import type { ClusterDeploymentScope, Dependencies } from "./scope.js";
import { computeStatus, ownedConditions } from "./status.js";

export const CLUSTER_DEPLOYMENT_CONTROLLER = "cluster-deployment";
export const CLUSTER_DEPLOYMENT_FINALIZER = "slipway.dev/cluster-deployment";

type Deps = Omit<Dependencies, "event">;

export function clusterDeploymentRegistration(
  deps: Deps,
  concurrency: number,
): ControllerRegistration<ClusterDeployment, ClusterDeploymentScope> {
  return clusterStackRegistration<ClusterDeployment, ClusterDeploymentScope>(
    {
      name: CLUSTER_DEPLOYMENT_CONTROLLER,
      resource: clusterDeploymentResource,
      finalizer: CLUSTER_DEPLOYMENT_FINALIZER,
      reconcileNormal,
      reconcileDelete,
      computeStatus,
      ownedConditions,
      buildScope: (cd, context, start) => ({
        ...start,
        cd,
        deps: {
          ...deps,
          event: (object, type, reason, message) => context.events.record(object, { type, reason, message }),
        },
      }),
    },
    concurrency,
  );
}

/**
 * Registers the ClusterDeployment controller: its stack jobs go to the "pulumi" queue, and their events (started,
 * progress, finished) reconcile the cluster at once instead of at the next poll.
 */
export function register(manager: Manager, deps: ControllerDependencies): void {
  registerStackResource(manager, deps, "ClusterDeployment", clusterDeploymentRegistration);
}
