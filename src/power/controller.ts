import type { ClusterObject } from "../api/index.js";
import { clusterResources, type ClusterKind } from "../api/index.js";
import { clusterControllerName, type ControllerRegistration } from "../runtime/controller.js";
import type { Reconciler } from "../runtime/reconciler.js";
import { reconcilePower } from "./phases.js";
import type { PowerDependencies, PowerScope } from "./scope.js";
import { computePowerStatus } from "./status.js";
import { POWER_FIELD_MANAGER } from "./trigger-job.js";

export const POWER_CONTROLLER = "power";

/**
 * The power controller (Hive's hibernation controller): one more controller over "a cluster" (a ClusterDeployment
 * or a HostedCluster, one instance per kind), owning the power decision. It writes spec.powerState only when a
 * trigger fires (through the trigger job), and its own status.power record and condition Scheduled; the kind's
 * own controller turns spec.powerState into a hibernation or a resume.
 */
export function powerReconciler(deps: PowerDependencies): Reconciler<ClusterObject, PowerScope> {
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

/** The power controller over one cluster kind (the same phases for both kinds). */
export function powerRegistration(
  deps: PowerDependencies,
  concurrency = 4,
  kind: ClusterKind = "ClusterDeployment",
): ControllerRegistration<ClusterObject, PowerScope> {
  return {
    name: clusterControllerName(POWER_CONTROLLER, kind),
    watches: { primary: clusterResources[kind] },
    reconciler: powerReconciler(deps),
    concurrency,
    fieldManager: POWER_FIELD_MANAGER,
  };
}
