import type { ClusterDeployment } from "../api/index.js";
import { clusterDeploymentResource } from "../api/resources.js";
import type { ControllerRegistration } from "../runtime/controller.js";
import type { Reconciler } from "../runtime/reconciler.js";
import { reconcilePower } from "./phases.js";
import type { PowerDependencies, PowerScope } from "./scope.js";
import { computePowerStatus } from "./status.js";
import { POWER_FIELD_MANAGER } from "./trigger-job.js";

export const POWER_CONTROLLER = "power";

/**
 * The power controller (Hive's hibernation controller): one more controller over ClusterDeployments, owning the
 * power decision. It writes spec.powerState only when a trigger fires (through the trigger job), and its own
 * status.power record and condition Scheduled; the ClusterDeployment controller turns spec.powerState into an up.
 */
export function powerReconciler(deps: PowerDependencies): Reconciler<ClusterDeployment, PowerScope> {
  return {
    writesObservedGeneration: false,
    buildScope: (cd, context) => ({ cd, context, deps, now: deps.clock.now() }),
    reconcileNormal: reconcilePower,
    // Nothing to clean up: a timer that fires for a deleted cluster finds it gone and does nothing.
    reconcileDelete: async (scope) => {
      await reconcilePower(scope);
    },
    computeStatus: computePowerStatus,
  };
}

export function powerRegistration(
  deps: PowerDependencies,
  concurrency = 4,
): ControllerRegistration<ClusterDeployment, PowerScope> {
  return {
    name: POWER_CONTROLLER,
    watches: { primary: clusterDeploymentResource },
    reconciler: powerReconciler(deps),
    concurrency,
    fieldManager: POWER_FIELD_MANAGER,
  };
}
