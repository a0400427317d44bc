import type { ClusterObject } from "../../api/index.js";
import { CLUSTER_KINDS, clusterResources, type ClusterKind } from "../../api/index.js";
import type { ControllerDependencies } from "../../queue/controller-jobs.js";
import { PULUMI_QUEUE, SPOKE_QUEUE } from "../../queue/job.js";
import { clusterControllerName, type ControllerRegistration } from "../../runtime/controller.js";
import { controllerFieldManager } from "../../runtime/reconcile-runner.js";
import type { Manager } from "../../runtime/manager.js";
import type { Reconciler, StatusInput } from "../../runtime/reconciler.js";
import type { KubeObject } from "../../runtime/resource.js";
import type { CsrView } from "./csr-approval.js";
import type { RegistrationJobData, RegistrationJobResult } from "./job.js";
import { managedClusterNameOf, type ManagedClusterObject } from "./managed-cluster.js";
import {
  CSR_CLUSTER_NAME_LABEL,
  OWNER_ANNOTATION,
  REGISTRATION_CONTROLLER,
  REGISTRATION_FINALIZER,
} from "./names.js";
import { deregister, reconcileNormal, registrationEnabled } from "./phases.js";
import { csrResource, managedClusterResource } from "./resources.js";
import type { HubCaches, RegistrationDependencies, RegistrationScope } from "./scope.js";
import { hibernating, joinedCondition, registeredCondition, registrationConditions } from "./status.js";

type Deps = Omit<RegistrationDependencies, "event" | "hub">;

/**
 * Hub registration of ClusterDeployments: its own controller over the same objects as the ClusterDeployment
 * controller (Hive's one-controller-per-concern), with its own finalizer and field manager. It writes only
 * status.registration and the conditions Registered and Joined.
 */
export function registrationReconciler(
  deps: Deps,
  hub: HubCaches,
): Reconciler<ClusterObject, RegistrationScope> {
  return {
    finalizer: REGISTRATION_FINALIZER,
    writesObservedGeneration: false,
    buildScope(cd, context) {
      return {
        cd,
        now: context.now,
        record: cd.status?.registration ? structuredClone(cd.status.registration) : undefined,
        managedCluster: hub.managedCluster(managedClusterNameOf(cd)),
        deps: {
          ...deps,
          hub,
          event: (object, type, reason, message) => context.events.record(object, { type, reason, message }),
        },
      };
    },
    async reconcileNormal(scope) {
      await reconcileNormal(scope);
      return scope.requeueAfterMs !== undefined ? { requeueAfter: scope.requeueAfterMs } : {};
    },
    async reconcileDelete(scope) {
      const done = await deregister(scope);
      scope.phase = done ? "Deregistered" : "Deregistering";
      return done ? {} : { requeueAfter: 3_000 };
    },
    computeStatus(input: StatusInput<ClusterObject, RegistrationScope>) {
      const cd = input.object;
      const scope = input.scope;
      const record = scope?.record ?? cd.status?.registration;
      const phase = scope?.phase;
      // Registration off and undone: no conditions of ours, so Ready does not wait for them.
      if (phase === "Disabled" || phase === "Deregistered" || (!scope && !registrationEnabled(cd)))
        return { registration: record };
      const registered = registeredCondition(phase, scope?.message, record, input.error);
      const joined = joinedCondition(
        scope?.managedCluster ?? hub.managedCluster(managedClusterNameOf(cd)),
        phase,
        hibernating(cd),
      );
      return {
        registration: record,
        conditions: registrationConditions(
          cd.status?.conditions,
          registered,
          joined,
          cd.metadata?.generation,
          input.now,
        ),
      };
    },
  };
}

/** The ClusterDeployment a hub object belongs to, from the owner annotation registration puts on it. */
function ownerKey(object: KubeObject | undefined): string[] {
  const owner = object?.metadata?.annotations?.[OWNER_ANNOTATION];
  return owner ? [owner] : [];
}

/** Hub registration over one cluster kind (the same phases for both kinds). */
export function registrationController(
  manager: Manager,
  deps: Deps,
  concurrency: number,
  kind: ClusterKind = "ClusterDeployment",
): ControllerRegistration<ClusterObject, RegistrationScope> {
  const managedClusters = () => manager.informer<ManagedClusterObject>(managedClusterResource);
  const csrs = () =>
    manager.informer<KubeObject & CsrView>(csrResource, { labelSelector: CSR_CLUSTER_NAME_LABEL });
  const hub: HubCaches = {
    managedCluster: (name) => managedClusters().get(undefined, name),
    csrsOf: (clusterName) =>
      csrs()
        .list()
        .filter((csr) => csr.metadata?.labels?.[CSR_CLUSTER_NAME_LABEL] === clusterName),
  };
  return {
    name: clusterControllerName(REGISTRATION_CONTROLLER, kind),
    // Both kinds' instances write with one field manager: they never act on the same object.
    fieldManager: controllerFieldManager(REGISTRATION_CONTROLLER),
    watches: {
      primary: clusterResources[kind],
      secondary: [
        { resource: managedClusterResource, mapToPrimary: ownerKey },
        {
          resource: csrResource,
          labelSelector: CSR_CLUSTER_NAME_LABEL,
          mapToPrimary: (csr) =>
            ownerKey(hub.managedCluster(csr.metadata?.labels?.[CSR_CLUSTER_NAME_LABEL] ?? "")),
        },
      ],
    },
    reconciler: registrationReconciler(deps, hub),
    concurrency,
  };
}

/**
 * Registers hub registration. It follows its own spoke jobs and the stack's (a finished provision starts it) by
 * their job events.
 */
export function register(manager: Manager, deps: ControllerDependencies): void {
  const queue = deps.jobs.queue<RegistrationJobData, RegistrationJobResult>(SPOKE_QUEUE);
  const { kube, config } = deps;
  for (const kind of CLUSTER_KINDS) {
    const name = clusterControllerName(REGISTRATION_CONTROLLER, kind);
    manager.register(
      registrationController(
        manager,
        { kube, queue, config, settings: config.registration },
        config.controller.concurrency,
        kind,
      ),
    );
    for (const jobQueue of [SPOKE_QUEUE, PULUMI_QUEUE])
      deps.jobs.onJobEvent(jobQueue, kind, (e) => manager.enqueue(name, `${e.namespace}/${e.name}`));
  }
}
