import { CLUSTER_KINDS, clusterResources, type ClusterObject, type ClusterFailover } from "../api/index.js";
import { FAILOVER_ANNOTATION } from "../api/index.js";
import { clusterFailoverResource } from "../api/resources.js";
import type { ControllerDependencies } from "../queue/controller-jobs.js";
import type { ControllerRegistration } from "../runtime/controller.js";
import type { Manager } from "../runtime/manager.js";
import type { Reconciler } from "../runtime/reconciler.js";
import type { KubeObject } from "../runtime/resource.js";
import {
  buildFailoverScope,
  deleteFailover,
  FAILOVER_FIELD_MANAGER,
  reconcileFailover,
  type FailoverDeps,
  type FailoverProgress,
  type FailoverScope,
} from "./phases.js";
import { computeFailoverStatus } from "./status.js";

export const CLUSTER_FAILOVER_CONTROLLER = "cluster-failover";

/**
 * No finalizer: deleting a failover cancels it and nothing is undone (resumed clusters keep running, the rest
 * stay hibernated). The clusters this controller asked to run are remembered per failover until its status
 * shows them, so a pass that reads a cache older than the last status write never exceeds maxConcurrent.
 */
export function clusterFailoverReconciler(deps: FailoverDeps): Reconciler<ClusterFailover, FailoverScope> {
  const requested = new Map<string, Map<string, string>>();
  const last = new Map<string, FailoverProgress>();
  const uidOf = (failover: ClusterFailover) => failover.metadata.uid ?? failover.metadata.name!;
  return {
    buildScope: (failover, context) => {
      const uid = uidOf(failover);
      if (!requested.has(uid)) requested.set(uid, new Map());
      return buildFailoverScope(failover, context, deps, requested.get(uid)!, last.get(uid));
    },
    reconcileNormal: async (scope) => {
      try {
        return await reconcileFailover(scope);
      } finally {
        const { startedAt, entries, phase, completedAt, primaryHibernated } = scope;
        if (startedAt)
          last.set(uidOf(scope.failover), { startedAt, entries, phase, completedAt, primaryHibernated });
      }
    },
    reconcileDelete: deleteFailover,
    computeStatus: computeFailoverStatus,
  };
}

/** A cluster a failover resumed -> that failover (the annotation names it). */
export function failoverOfCluster(object: KubeObject): string[] {
  const name = object.metadata?.annotations?.[FAILOVER_ANNOTATION];
  return name && object.metadata?.namespace ? [`${object.metadata.namespace}/${name}`] : [];
}

/** Tuning beside the config, for tests and benchmarks. */
export interface FailoverControllerOptions {
  /**
   * A resumed cluster is back only once OCM reports it joined again. Default true: the registration controller
   * runs in the same process. Tests and benchmarks without registration set false.
   */
  registrationRequired?: boolean;
  concurrency?: number;
}

/** Registers the ClusterFailover controller; call before `manager.start()`. */
export function register(
  manager: Manager,
  _deps: ControllerDependencies,
  options: FailoverControllerOptions = {},
): void {
  const clusters = CLUSTER_KINDS.map((kind) => manager.informer<ClusterObject>(clusterResources[kind]));
  const failovers = manager.informer<ClusterFailover>(clusterFailoverResource);
  const registration: ControllerRegistration<ClusterFailover, FailoverScope> = {
    name: CLUSTER_FAILOVER_CONTROLLER,
    fieldManager: FAILOVER_FIELD_MANAGER,
    watches: {
      primary: clusterFailoverResource,
      secondary: CLUSTER_KINDS.map((kind) => ({
        resource: clusterResources[kind],
        mapToPrimary: failoverOfCluster,
      })),
    },
    reconciler: clusterFailoverReconciler({
      clustersIn: (namespace) => clusters.flatMap((informer) => informer.list({ namespace })),
      failoversIn: (namespace) => failovers.list({ namespace }),
      registrationRequired: options.registrationRequired ?? true,
    }),
    concurrency: options.concurrency ?? 2,
  };
  manager.register(registration);
}
