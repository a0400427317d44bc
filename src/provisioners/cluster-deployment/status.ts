import { safeMessage } from "../../runtime/redaction.js";
import { ABANDON_DEPROVISION_ANNOTATION } from "../../api/index.js";
import { CLUSTER_OTHER_WRITERS, PLATFORMS, type ClusterDeployment } from "../../api/index.js";
import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import {
  removeCondition,
  setCondition,
  type Condition,
  type ConditionInput,
} from "../../runtime/conditions.js";
import { platformName } from "./platform.js";
import { fieldsNotActedOn, notActedOnMessage } from "../../api/fields-not-acted-on.js";
import { clusterPoolRefSetByPool } from "../../api/pool-membership.js";
import { conditionsOwnedBy, hibernatingCondition, summarizeClusterReady } from "../stack-resource/index.js";
import type { ClusterDeploymentScope, StackStatus } from "./scope.js";

type Status = NonNullable<ClusterDeployment["status"]>;
type Domain = Omit<ConditionInput, "type" | "observedGeneration">;

export const ClusterDeploymentCondition = {
  InfrastructureReady: "InfrastructureReady",
  Provisioned: "Provisioned",
  Hibernating: "Hibernating",
  FieldsNotActedOn: "FieldsNotActedOn",
  ClusterPoolRefIgnored: "ClusterPoolRefIgnored",
} as const;

/** The conditions Ready always summarizes, most telling first. */
export const READY_CONDITIONS = [
  ClusterDeploymentCondition.InfrastructureReady,
  ClusterDeploymentCondition.Provisioned,
] as const;

/** Only this controller's conditions: server-side apply then keeps the entries other field managers own. */
export const ownedConditions = conditionsOwnedBy(ClusterDeploymentCondition);

const IN_FLIGHT_REASON: Record<string, string> = {
  Provisioning: Reason.Provisioning,
  Starting: Reason.Resuming,
  Stopping: Reason.Hibernating,
  Deprovisioning: Reason.Deprovisioning,
};

function progressText(op: StackStatus): string {
  const p = op.progress;
  if (!p || p.resourcesTotal === 0) return "";
  return ` (${p.resourcesDone}/${p.resourcesTotal} resources${p.currentStep ? `, ${p.currentStep}` : ""})`;
}

/** What an operation does, in the words of the power state it moves to: provision, hibernate, resume, destroy. */
const OPERATION_WORDS: Record<string, string> = {
  Provisioning: "provision",
  Starting: "resume",
  Stopping: "hibernate",
  Deprovisioning: "destroy",
};

function operationWords(op: StackStatus, powerState: string | undefined): string {
  if (op.type === "refresh") return "drift check (refresh)";
  return OPERATION_WORDS[powerState ?? ""] ?? `${op.type} for generation ${op.generation}`;
}

/**
 * A job waiting to be retried after a failed attempt (the worker retries transient failures without limit) says
 * so, with the real cause (a full disk, an API that throttles) and when the next attempt runs: the cause belongs
 * in status, not only in the worker's log. Undefined while the job runs or before any attempt failed.
 */
function retryWait(scope: ClusterDeploymentScope, op: StackStatus, powerState?: string): string | undefined {
  const job = scope.job;
  if (!job || job.id !== op.jobId || job.state === "active" || job.state === "completed") return undefined;
  if (!job.failedReason || job.attemptsMade === 0) return undefined;
  const attempt = (job.data?.priorAttempts ?? 0) + job.attemptsMade;
  const when = job.retryAt ? `next attempt at ${job.retryAt.toISOString()}` : "next attempt now";
  return `${operationWords(op, powerState)} attempt ${attempt} failed: ${safeMessage(job.failedReason, 512)}; ${when} (job ${op.jobId})`;
}

/** The stack's own condition: does the stack hold what the spec asks for, with nothing in flight? */
function infrastructureReady(scope: ClusterDeploymentScope, status: Status): Domain {
  const op = status.stack;
  if (op?.result === "InProgress" && op.type !== "refresh") {
    // The repair's cause is kept with the operation, so every pass until it ends says why the cluster is not Ready.
    const drift = scope.drift ?? (op.cause === Reason.DriftDetected ? op.message : undefined);
    if (drift) {
      const retrying = retryWait(scope, op, status.powerState);
      const message = `${drift}; repairing with job ${op.jobId}${progressText(op)}${retrying ? `; ${retrying}` : ""}`;
      return { status: "False", reason: Reason.DriftDetected, message };
    }
    const retrying = retryWait(scope, op, status.powerState);
    if (retrying) return { status: "False", reason: Reason.WaitingForRetry, message: retrying };
    const reason = IN_FLIGHT_REASON[status.powerState ?? ""] ?? Reason.Applying;
    const message = `${op.type} for generation ${op.generation} is ${scope.job?.state === "active" ? "running" : "queued"} (job ${op.jobId})${progressText(op)}`;
    return { status: "False", reason, message };
  }
  if (op?.result === "Succeeded" || op?.type === "refresh") {
    const hibernating = status.powerState === "Hibernating";
    // A failing drift check leaves the cluster as it was: Ready stays, and says the check is being retried.
    const retrying = op?.type === "refresh" && retryWait(scope, op);
    const note = retrying ? `; ${retrying}` : "";
    return hibernating
      ? {
          status: "True",
          reason: Reason.Hibernating,
          message: `The cluster is hibernating as the spec asks; its data is kept${note}`,
        }
      : {
          status: "True",
          reason: Reason.ClusterRunning,
          message: `The cluster is running at ${status.apiURL ?? "its API URL"}${note}`,
        };
  }
  if (op?.result === "Failed") {
    const cause = op.message ?? `${op.type} failed`;
    // The controller retries it (a worker died on it, or a destroy): say when, not only why.
    if (op.retry?.nextAt && op.type !== "destroy") {
      return {
        status: "False",
        reason: Reason.WaitingForRetry,
        message: `${operationWords(op, status.powerState)} attempt ${op.retry.failedAttempts} failed: ${cause}; next attempt at ${op.retry.nextAt}`,
      };
    }
    const reason = op.type === "destroy" ? Reason.DestroyFailed : Reason.OperationFailed;
    const message = op.retry?.nextAt
      ? `${op.type} attempt ${op.retry.failedAttempts} failed: ${cause}; retrying at ${op.retry.nextAt}`
      : cause;
    return { status: "False", reason, message };
  }
  return { status: "Unknown", reason: Reason.Pending, message: "Waiting for the first stack run" };
}

/**
 * How long after the delete a cancelled run should have ended: the worker looks for the cancel every second, and
 * the CLI gets its grace period (8 s) to record what finished before its processes are ended.
 */
export const CANCEL_DEADLINE_MS = 60_000;

/** While deleting: the destroy's progress, or DestroyFailed with the cause and attempts while it is retried. */
function deletingSummary(
  scope: ClusterDeploymentScope,
  status: Status,
  infrastructure: Domain,
): { reason: string; message: string } {
  const op = status.stack;
  if (op && op.type !== "destroy" && op.result === "InProgress" && scope.job?.state === "active") {
    const deletedAt = Date.parse(scope.cd.metadata?.deletionTimestamp ?? scope.now.toISOString());
    const deadline = new Date(deletedAt + CANCEL_DEADLINE_MS);
    const since = (scope.job.startedAt ?? new Date(op.startedAt ?? scope.now)).toISOString();
    const late =
      scope.now > deadline
        ? `; it is past its deadline ${deadline.toISOString()}: the worker running it may be unreachable (its job returns to the queue once its lock expires)`
        : `; it ends by ${deadline.toISOString()}`;
    return {
      reason: Reason.CancellingForDelete,
      message:
        `cancelling the running ${op.type} for generation ${op.generation} (running since ${since}, job ${op.jobId})` +
        `${late}; destroy follows`,
    };
  }
  if (op?.type === "destroy" && op.retry) {
    const { count = 0, failedAttempts = 1, nextAt } = op.retry;
    const cause = op.message ?? "unknown error";
    const next =
      op.result === "InProgress"
        ? `retry ${count} is queued or running (job ${op.jobId})`
        : `retry ${count + 1} at ${nextAt ?? "once backoff ends"}`;
    return {
      reason: Reason.DestroyFailed,
      message:
        `destroy failed (attempt ${failedAttempts}): ${cause}; ${next}. If it can never succeed, release the ` +
        `resource with the annotation ${ABANDON_DEPROVISION_ANNOTATION}=true: its stack and what it created stay behind`,
    };
  }
  if (op?.type === "destroy" && op.result === "InProgress") return infrastructure;
  return { reason: Reason.Deprovisioning, message: "Deleting the cluster" };
}

/** The one place a ClusterDeployment's status is computed from what the reconcile found (and threw). */
export function computeStatus(scope: ClusterDeploymentScope, error?: unknown): Status {
  const { cd, now } = scope;
  const status: Status = { ...scope.status };
  for (const field of CLUSTER_OTHER_WRITERS) delete status[field];
  // Copied from the spec for `kubectl get` (printer columns can only read one path).
  const platform = platformName(cd);
  if ((PLATFORMS as readonly string[]).includes(platform)) status.platform = platform as Status["platform"];
  status.region = (cd.spec.platform as Record<string, { region?: string } | undefined>)[platform]?.region;
  const observedGeneration = cd.metadata?.generation;
  const set = (list: Condition[], type: string, domain: Domain) =>
    setCondition(list, { type, ...domain, observedGeneration }, now);

  const stall = error instanceof TerminalError ? error : undefined;
  let conditions = (status.conditions ?? []) as Condition[];
  const infrastructure = infrastructureReady(scope, status);
  conditions = set(conditions, ClusterDeploymentCondition.InfrastructureReady, infrastructure);
  conditions = set(
    conditions,
    ClusterDeploymentCondition.Provisioned,
    status.provisionedAt
      ? { status: "True", reason: Reason.StackApplied, message: `Provisioned at ${status.provisionedAt}` }
      : {
          status: stall ? "False" : "Unknown",
          reason: stall ? stall.reason : Reason.Provisioning,
          message: stall ? stall.message : "The cluster is being created",
        },
  );
  conditions = set(
    conditions,
    ClusterDeploymentCondition.Hibernating,
    hibernatingCondition(status.powerState),
  );
  const ignored = fieldsNotActedOn(cd.spec);
  conditions = ignored.length
    ? set(conditions, ClusterDeploymentCondition.FieldsNotActedOn, {
        status: "True",
        reason: Reason.NotImplementedYet,
        message: notActedOnMessage(ignored),
      })
    : removeCondition(conditions, ClusterDeploymentCondition.FieldsNotActedOn);
  const poolRef = cd.spec.clusterPoolRef;
  conditions =
    poolRef && !clusterPoolRefSetByPool(cd)
      ? set(conditions, ClusterDeploymentCondition.ClusterPoolRefIgnored, {
          status: "True",
          reason: Reason.NotCreatedByPool,
          message:
            `spec.clusterPoolRef names pool ${poolRef.namespace}/${poolRef.poolName}, but no ClusterPool created this ` +
            "ClusterDeployment: the pool ignores it (no claim gets it, the pool never deletes it) and it is managed " +
            "as a standalone cluster. clusterPoolRef cannot be removed: create the ClusterDeployment again without it",
        })
      : removeCondition(conditions, ClusterDeploymentCondition.ClusterPoolRefIgnored);

  conditions = summarizeClusterReady(
    conditions,
    {
      stored: { ...cd, status: scope.status },
      own: READY_CONDITIONS,
      ready: { reason: infrastructure.reason, message: infrastructure.message },
      error,
      deleting: cd.metadata?.deletionTimestamp ? deletingSummary(scope, status, infrastructure) : undefined,
      observedGeneration,
    },
    now,
  );
  status.conditions = ownedConditions(conditions);
  status.observedGeneration = observedGeneration;
  return status;
}
