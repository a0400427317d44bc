import { CLUSTER_OTHER_WRITERS, type HostedCluster, type NodePool } from "../../api/index.js";
import { hostedClusterResource, nodePoolResource, secretResource } from "../../api/resources.js";
import { HostedClusterReason } from "../../api/reasons.js";
import { getCondition, type Condition } from "../../runtime/conditions.js";
import type { ControllerDependencies } from "../../queue/controller-jobs.js";
import type { ControllerRegistration } from "../../runtime/controller.js";
import type { Manager } from "../../runtime/manager.js";
import type { Reconciler } from "../../runtime/reconciler.js";
import { registerStackResource, stackReconciler } from "../stack-resource/index.js";
import { reconcileDelete, reconcileNormal } from "./phases.js";
import type { HostedClusterDependencies, HostedClusterScope } from "./scope.js";
import { computeStatus, ownedConditions } from "./status.js";

export const HOSTED_CLUSTER_CONTROLLER = "hosted-cluster";
export const HOSTED_CLUSTER_FINALIZER = "slipway.dev/hosted-cluster";

export function hostedClusterReconciler(
  deps: HostedClusterDependencies,
): Reconciler<HostedCluster, HostedClusterScope> {
  return stackReconciler<HostedCluster, HostedClusterScope>({
    finalizer: HOSTED_CLUSTER_FINALIZER,
    buildScope: (hc, context, start) => ({
      ...start,
      hc,
      deps,
      waitingForPods: waitingForPods(hc),
      event: (object, type, reason, message) => context.events.record(object, { type, reason, message }),
    }),
    reconcileNormal,
    reconcileDelete,
    computeStatus,
    otherWriters: CLUSTER_OTHER_WRITERS,
    ownedConditions,
  });
}

/** The pods verdict a past run left in Available, until a newer run replaces it. */
function waitingForPods(hc: HostedCluster): string | undefined {
  const available = getCondition(hc.status?.conditions as Condition[] | undefined, "Available");
  return available?.reason === HostedClusterReason.WaitingForControlPlanePods ? available.message : undefined;
}

export function hostedClusterRegistration(
  deps: HostedClusterDependencies,
  concurrency: number,
): ControllerRegistration<HostedCluster, HostedClusterScope> {
  return {
    name: HOSTED_CLUSTER_CONTROLLER,
    watches: {
      primary: hostedClusterResource,
      owns: [secretResource],
      // A deleting HostedCluster waits for its NodePools: their going wakes it.
      secondary: [
        {
          resource: nodePoolResource,
          mapToPrimary: (pool) => {
            const np = pool as NodePool;
            return np.spec?.clusterName ? [`${np.metadata?.namespace}/${np.spec.clusterName}`] : [];
          },
        },
      ],
    },
    reconciler: hostedClusterReconciler(deps),
    concurrency,
  };
}

/**
 * Registers the HostedCluster controller: its stack jobs go to the "pulumi" queue beside the ClusterDeployments',
 * and their events reconcile the HostedCluster at once.
 */
export function register(manager: Manager, deps: ControllerDependencies): void {
  registerStackResource(manager, deps, "HostedCluster", hostedClusterRegistration);
}
