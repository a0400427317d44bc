import type { HostedCluster, NodePool } from "../../api/index.js";
import { hostedClusterResource, nodePoolResource } from "../../api/resources.js";
import { HostedClusterReason } from "../../api/reasons.js";
import { getCondition, type Condition } from "../../runtime/conditions.js";
import type { ControllerDependencies } from "../../queue/controller-jobs.js";
import type { ControllerRegistration } from "../../runtime/controller.js";
import type { Manager } from "../../runtime/manager.js";
import { clusterStackRegistration, registerStackResource } from "../stack-resource/index.js";
import { reconcileDelete, reconcileNormal } from "./phases.js";
import type { HostedClusterDependencies, HostedClusterScope } from "./scope.js";
import { computeStatus, ownedConditions } from "./status.js";

export const HOSTED_CLUSTER_CONTROLLER = "hosted-cluster";
export const HOSTED_CLUSTER_FINALIZER = "slipway.dev/hosted-cluster";

/** The pods verdict a past run left in Available, until a newer run replaces it. */
function waitingForPods(hc: HostedCluster): string | undefined {
  const available = getCondition(hc.status?.conditions as Condition[] | undefined, "Available");
  return available?.reason === HostedClusterReason.WaitingForControlPlanePods ? available.message : undefined;
}

export function hostedClusterRegistration(
  deps: HostedClusterDependencies,
  concurrency: number,
): ControllerRegistration<HostedCluster, HostedClusterScope> {
  return clusterStackRegistration<HostedCluster, HostedClusterScope>(
    {
      name: HOSTED_CLUSTER_CONTROLLER,
      resource: hostedClusterResource,
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
      finalizer: HOSTED_CLUSTER_FINALIZER,
      reconcileNormal,
      reconcileDelete,
      computeStatus,
      ownedConditions,
      buildScope: (hc, context, start) => ({
        ...start,
        hc,
        deps,
        waitingForPods: waitingForPods(hc),
        event: (object, type, reason, message) => context.events.record(object, { type, reason, message }),
      }),
    },
    concurrency,
  );
}

/**
 * Registers the HostedCluster controller: its stack jobs go to the "pulumi" queue beside the ClusterDeployments',
 * and their events reconcile the HostedCluster at once.
 */
export function register(manager: Manager, deps: ControllerDependencies): void {
  registerStackResource(manager, deps, "HostedCluster", hostedClusterRegistration);
}
