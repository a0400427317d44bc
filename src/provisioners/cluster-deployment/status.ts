import { PLATFORMS, type ClusterDeployment } from "../../api/index.js";
import {
  markReady,
  markReconciling,
  markStalled,
  setCondition,
  type Condition,
} from "../../runtime/conditions.js";
import { platformName } from "./platform.js";
import type { ClusterDeploymentScope, LastOperation } from "./scope.js";

type Status = NonNullable<ClusterDeployment["status"]>;

const IN_FLIGHT_REASON: Record<string, string> = {
  Provisioning: "Provisioning",
  Starting: "Resuming",
  Stopping: "Hibernating",
  Deprovisioning: "Deprovisioning",
};

function progressText(op: LastOperation): string {
  const p = op.progress;
  if (!p || p.resourcesTotal === 0) return "";
  return ` (${p.resourcesDone}/${p.resourcesTotal} resources${p.currentStep ? `, ${p.currentStep}` : ""})`;
}

/** The one place a ClusterDeployment's status is computed from what the reconcile found. */
export function computeStatus(scope: ClusterDeploymentScope): Status {
  const { cd, now } = scope;
  const status: Status = { ...scope.status };
  // Copied from the spec for `kubectl get` (printer columns can only read one path).
  const platform = platformName(cd);
  if ((PLATFORMS as readonly string[]).includes(platform)) status.platform = platform as Status["platform"];
  status.region = (cd.spec.platform as Record<string, { region?: string } | undefined>)[platform]?.region;
  const generation = cd.metadata?.generation;
  const op = status.lastOperation as LastOperation | undefined;
  let conditions = (status.conditions ?? []) as Condition[];

  if (scope.stalled) {
    conditions = markStalled(conditions, { ...scope.stalled, observedGeneration: generation }, now);
  } else if (op?.result === "InProgress" && op.type !== "refresh") {
    // The repair's cause is kept with the operation, so every pass until it ends says why the cluster is not Ready.
    const drift = scope.drift ?? (op.cause === "DriftDetected" ? op.message : undefined);
    const reason = drift ? "DriftDetected" : (IN_FLIGHT_REASON[status.powerState ?? ""] ?? "Applying");
    const message = drift
      ? `${drift}; repairing with job ${op.jobId}${progressText(op)}`
      : `${op.type} for generation ${op.generation} is ${scope.job?.state === "active" ? "running" : "queued"} (job ${op.jobId})${progressText(op)}`;
    conditions = markReconciling(conditions, { reason, message, observedGeneration: generation }, now);
  } else if (op?.result === "Succeeded" || op?.type === "refresh") {
    const hibernating = status.powerState === "Hibernating";
    conditions = markReady(
      conditions,
      {
        reason: hibernating ? "Hibernating" : "ClusterRunning",
        message: hibernating
          ? "The cluster is hibernating as the spec asks; its data is kept"
          : `The cluster is running at ${status.apiURL ?? "its API URL"}`,
        observedGeneration: generation,
      },
      now,
    );
  } else {
    conditions = markReconciling(
      conditions,
      { reason: "Pending", message: "Waiting for the first stack run", observedGeneration: generation },
      now,
    );
  }

  conditions = setCondition(
    conditions,
    status.provisionedAt
      ? {
          type: "Provisioned",
          status: "True",
          reason: "StackApplied",
          message: `Provisioned at ${status.provisionedAt}`,
          observedGeneration: generation,
        }
      : {
          type: "Provisioned",
          status: scope.stalled ? "False" : "Unknown",
          reason: scope.stalled ? scope.stalled.reason : "Provisioning",
          message: scope.stalled ? scope.stalled.message : "The cluster is being created",
          observedGeneration: generation,
        },
    now,
  );
  const hibernating = status.powerState === "Hibernating";
  conditions = setCondition(
    conditions,
    {
      type: "Hibernating",
      status: hibernating ? "True" : "False",
      reason: hibernating ? "Hibernating" : status.powerState === "Stopping" ? "Stopping" : "Running",
      message: hibernating
        ? "Processes are stopped and data is kept"
        : `Power state ${status.powerState ?? "unknown"}`,
      observedGeneration: generation,
    },
    now,
  );
  status.conditions = conditions;
  status.observedGeneration = generation;
  return status;
}
