import { CLUSTER_OTHER_WRITERS, type KubeObject } from "../../api/index.js";
import { secretResource } from "../../api/resources.js";
import type { ControllerDependencies } from "../../queue/controller-jobs.js";
import { PULUMI_QUEUE } from "../../queue/job.js";
import type { StackJobData, StackJobProgress, StackJobResult } from "../../queue/stack-job.js";
import type { SlipwayConfig } from "../../runtime/config.js";
import type { ControllerRegistration, SecondaryWatch } from "../../runtime/controller.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import type { Manager } from "../../runtime/manager.js";
import type { Condition } from "../../runtime/conditions.js";
import type { ResourceRef } from "../../runtime/resource.js";
import type { ReconcileContext, ReconcileResult, Reconciler } from "../../runtime/reconciler.js";
import type { StackJobQueue, StackScope } from "./kind.js";
import type { StackKind } from "../../../stacks/index.js";

/** What a stack-backed kind's controller is built with. */
export interface StackControllerDeps {
  kube: KubeClient;
  /** The "pulumi" queue: every stack-backed kind's stack jobs run there, side by side. */
  queue: StackJobQueue;
  config: SlipwayConfig;
}

/**
 * Registers a stack-backed kind's controller: its stack jobs go to the "pulumi" queue, and their events (started,
 * progress, finished) reconcile the object at once instead of at the next poll.
 */
export function registerStackResource<T extends KubeObject, S>(
  manager: Manager,
  deps: ControllerDependencies,
  kind: StackKind,
  registration: (deps: StackControllerDeps, concurrency: number) => ControllerRegistration<T, S>,
): void {
  const queue = deps.jobs.queue<StackJobData, StackJobResult, StackJobProgress>(PULUMI_QUEUE);
  const controller = registration(
    { kube: deps.kube, queue, config: deps.config },
    deps.config.controller.concurrency,
  );
  manager.register(controller);
  deps.jobs.onJobEvent(PULUMI_QUEUE, kind, (e) =>
    manager.enqueue(controller.name, `${e.namespace}/${e.name}`),
  );
}

/** After a normal pass: poll while a job is in flight (job events usually come first; this is the safety net). */
export function afterNormalPass(scope: StackScope): ReconcileResult {
  return scope.requeueAfterMs !== undefined || scope.status.stack?.result === "InProgress"
    ? { requeueAfter: scope.requeueAfterMs ?? 15_000 }
    : {};
}

/** After a delete pass: done, or look again soon. */
export function afterDeletePass(scope: StackScope, done: boolean): ReconcileResult {
  return done ? {} : { requeueAfter: scope.requeueAfterMs ?? 5_000 };
}

/** What differs between the reconcilers of two stack-backed kinds. */
export interface StackReconcilerParts<T extends KubeObject, S extends StackScope> {
  finalizer: string;
  /** The kind's scope, from what every pass starts with: the pass's time and a copy of the stored status. */
  buildScope(object: T, context: ReconcileContext, start: Pick<S, "now" | "status">): S;
  reconcileNormal(scope: S): Promise<void>;
  /** True when the object may go. */
  reconcileDelete(scope: S): Promise<boolean>;
  /** The one place the kind's status is computed from the scope (and what the phases threw). */
  computeStatus(scope: S, error?: unknown): { observedGeneration?: number };
  /** The status records other controllers own (registration, bootstrap, power ...): never sent by this one. */
  otherWriters: readonly string[];
  ownedConditions(conditions: readonly Condition[] | undefined): Condition[];
}

/** A stack-backed kind's reconciler: the one reconcile shape, polling while a job is in flight. */
export function stackReconciler<T extends KubeObject & { status?: object }, S extends StackScope>(
  parts: StackReconcilerParts<T, S>,
): Reconciler<T, S> {
  return {
    finalizer: parts.finalizer,
    buildScope: (object, context) =>
      parts.buildScope(object, context, {
        now: context.now,
        status: structuredClone(object.status ?? {}) as S["status"],
      }),
    async reconcileNormal(scope) {
      await parts.reconcileNormal(scope);
      return afterNormalPass(scope);
    },
    async reconcileDelete(scope) {
      return afterDeletePass(scope, await parts.reconcileDelete(scope));
    },
    computeStatus(input) {
      if (!input.scope) {
        // No scope (reading failed): send back what this controller owns of the stored status, unchanged.
        const stored = (input.object.status ?? {}) as Record<string, unknown> & { conditions?: Condition[] };
        const owned: Record<string, unknown> = { ...stored };
        for (const field of parts.otherWriters) delete owned[field];
        owned.conditions = parts.ownedConditions(stored.conditions);
        return owned;
      }
      const status: Record<string, unknown> = { ...parts.computeStatus(input.scope, input.error) };
      delete status.observedGeneration; // the harness sets it, only after a pass that handled the generation
      return status;
    },
  };
}

/** What differs between the controllers of the two cluster kinds (ClusterDeployment, HostedCluster). */
export interface ClusterStackController<T extends KubeObject, S extends StackScope> extends Omit<
  StackReconcilerParts<T, S>,
  "otherWriters"
> {
  name: string;
  resource: ResourceRef;
  /** Other kinds whose changes reconcile a cluster (a HostedCluster's NodePools, which go before it). */
  secondary?: SecondaryWatch[];
}

/**
 * The registration of a cluster kind's controller. It owns the admin kubeconfig Secret its stack job writes (a
 * missing credentials Secret is polled: CredentialsSecretMissing requeues), and never sends the status records
 * registration, bootstrap and power own.
 */
export function clusterStackRegistration<T extends KubeObject & { status?: object }, S extends StackScope>(
  controller: ClusterStackController<T, S>,
  concurrency: number,
): ControllerRegistration<T, S> {
  const { name, resource, secondary, ...parts } = controller;
  return {
    name,
    watches: { primary: resource, owns: [secretResource], ...(secondary ? { secondary } : {}) },
    reconciler: stackReconciler({ ...parts, otherWriters: CLUSTER_OTHER_WRITERS }),
    concurrency,
  };
}
