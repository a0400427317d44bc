import type { ClusterDeployment } from "../../api/index.js";
import type { ControllerRegistration } from "../../runtime/controller.js";
import type { Reconciler, StatusInput } from "../../runtime/reconciler.js";
import { TerminalError } from "../../errors/index.js";
import { markReconciling, markStalled, type Condition } from "../../runtime/conditions.js";
import { safeMessage } from "../../runtime/redaction.js";
import { clusterDeploymentResource, secretResource } from "../../api/resources.js";
import { reconcileDelete, reconcileNormal } from "./phases.js";
import type { ClusterDeploymentScope, Dependencies } from "./scope.js";
import { computeStatus } from "./status.js";

export const CLUSTER_DEPLOYMENT_CONTROLLER = "cluster-deployment";
export const CLUSTER_DEPLOYMENT_FINALIZER = "slipway.dev/cluster-deployment";

type Deps = Omit<Dependencies, "event">;

export function clusterDeploymentReconciler(deps: Deps): Reconciler<ClusterDeployment, ClusterDeploymentScope> {
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
      return scope.requeueAfterMs !== undefined || scope.status.lastOperation?.result === "InProgress"
        ? { requeueAfter: scope.requeueAfterMs ?? 15_000 } // job events usually come first; this is the safety net
        : {};
    },
    async reconcileDelete(scope) {
      const done = await reconcileDelete(scope);
      return done ? {} : { requeueAfter: 5_000 };
    },
    computeStatus(input: StatusInput<ClusterDeployment, ClusterDeploymentScope>) {
      if (input.scope) {
        const status = computeStatus(input.scope);
        if (input.error !== undefined) {
          const message = safeMessage(input.error instanceof Error ? input.error.message : String(input.error));
          const reason = input.error instanceof TerminalError ? input.error.reason : "ReconcileError";
          const mark = input.terminal ? markStalled : markReconciling;
          status.conditions = mark(status.conditions as Condition[], { reason, message, observedGeneration: input.generation }, input.now);
        }
        delete status.observedGeneration; // the harness sets it, only after a successful pass
        return status as Record<string, unknown>;
      }
      return (input.object.status ?? {}) as Record<string, unknown>;
    },
  };
}

export function clusterDeploymentRegistration(deps: Deps, concurrency: number): ControllerRegistration<ClusterDeployment, ClusterDeploymentScope> {
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
