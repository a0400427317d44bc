import { CLUSTER_OTHER_WRITERS, hostedClusterStatus, type HostedCluster } from "../../api/index.js";
import { FieldsReason, HostedClusterReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import {
  removeCondition,
  setCondition,
  type Condition,
  type ConditionInput,
} from "../../runtime/conditions.js";
import { safeMessage } from "../../runtime/redaction.js";
import { hostedPlatformName } from "./platform.js";
import { desiredPowerState } from "./phases.js";
import { conditionsOwnedBy, hibernatingCondition, summarizeClusterReady } from "../stack-resource/index.js";
import type { HostedClusterScope, StackStatus } from "./scope.js";

type Status = NonNullable<HostedCluster["status"]>;
type Domain = Omit<ConditionInput, "type" | "observedGeneration">;

/** HyperShift's conditions of a HostedCluster, plus FieldsNotActedOn. */
export const HostedClusterCondition = {
  Available: "Available",
  Progressing: "Progressing",
  Degraded: "Degraded",
  Hibernating: "Hibernating",
  FieldsNotActedOn: "FieldsNotActedOn",
} as const;

/** The platform names status.platform accepts (its enum), for printing. */
const STATUS_PLATFORMS: readonly unknown[] = hostedClusterStatus.shape.platform.json.enum ?? [];

/** Only this controller's conditions: server-side apply keeps the entries other field managers own. */
export const ownedConditions = conditionsOwnedBy(HostedClusterCondition);

/** The fields of the spec no platform acts on yet, by path. */
function fieldsNotActedOn(hc: HostedCluster): string[] {
  return hc.spec.dns?.baseDomain ? ["spec.dns.baseDomain"] : [];
}

const IN_FLIGHT: Record<string, { reason: string; words: string }> = {
  Provisioning: { reason: Reason.Provisioning, words: "The control plane is being created" },
  Starting: { reason: Reason.Resuming, words: "The control plane is starting again after hibernation" },
  Stopping: { reason: Reason.Stopping, words: "The control plane is hibernating" },
  Deprovisioning: { reason: Reason.Deprovisioning, words: "The control plane is being destroyed" },
};

function inFlight(scope: HostedClusterScope, op: StackStatus, powerState?: string): Domain {
  const what = IN_FLIGHT[powerState ?? ""] ?? {
    reason: Reason.Applying,
    words: `An ${op.type} applies the spec`,
  };
  const job = scope.job;
  const running = job?.state === "active" ? "running" : "queued";
  const p = op.progress;
  const progress = p?.resourcesTotal ? ` (${p.resourcesDone}/${p.resourcesTotal} resources)` : "";
  const retry =
    job && job.id === op.jobId && job.failedReason && job.attemptsMade > 0 && job.state !== "active"
      ? `; attempt ${job.attemptsMade} failed: ${safeMessage(job.failedReason, 512)}`
      : "";
  const cause = op.cause === Reason.DriftDetected && op.message ? `${op.message}; repairing: ` : "";
  return {
    status: "False",
    reason:
      op.cause === Reason.DriftDetected ? Reason.DriftDetected : retry ? Reason.WaitingForRetry : what.reason,
    message: `${cause}${what.words}: job ${op.jobId} is ${running}${progress}${retry}`,
  };
}

/** Available: the control plane serves its API (HyperShift). */
function available(scope: HostedClusterScope, status: Status, stall?: TerminalError): Domain {
  const op = status.stack;
  if (stall) return { status: "False", reason: stall.reason, message: stall.message };
  if (op?.result === "InProgress" && op.type !== "refresh") return inFlight(scope, op, status.powerState);
  if (op?.result === "Failed" && op.type !== "refresh") {
    const cause = op.message ?? `${op.type} failed`;
    return op.retry?.nextAt
      ? {
          status: "False",
          reason: Reason.WaitingForRetry,
          message: `${cause}; next attempt at ${op.retry.nextAt}`,
        }
      : {
          status: "False",
          reason: op.type === "destroy" ? Reason.DestroyFailed : Reason.OperationFailed,
          message: cause,
        };
  }
  if (scope.drift) return { status: "False", reason: Reason.DriftDetected, message: scope.drift };
  if (scope.waitingForPods && status.powerState === "Running")
    return { status: "False", reason: Reason.WaitingForControlPlanePods, message: scope.waitingForPods };
  if (status.powerState === "Hibernating")
    return {
      status: "False",
      reason: Reason.Hibernating,
      message: "The control plane hibernates: its processes are stopped, its data is kept",
    };
  if (status.powerState === "Running" && status.apiURL)
    return {
      status: "True",
      reason: Reason.ControlPlaneAvailable,
      message: `The control plane serves its API at ${status.apiURL}`,
    };
  return { status: "Unknown", reason: Reason.Pending, message: "Waiting for the first stack run" };
}

/** Progressing: being created, hibernated, resumed or moved to a new spec. */
function progressing(status: Status, avail: Domain, stall?: TerminalError): Domain {
  if (stall) return { status: "False", reason: stall.reason, message: stall.message };
  const op = status.stack;
  if (op?.result === "InProgress" && op.type !== "refresh") return { ...avail, status: "True" };
  return { status: "False", reason: avail.reason, message: avail.message };
}

/** Degraded: it runs (or should) but something is wrong: drift, a failed operation. */
function degraded(scope: HostedClusterScope, status: Status): Domain {
  const op = status.stack;
  const drift =
    scope.drift ??
    (op?.result === "InProgress" && op.cause === Reason.DriftDetected ? op.message : undefined);
  if (drift) return { status: "True", reason: Reason.DriftDetected, message: drift };
  if (op?.result === "Failed")
    return { status: "True", reason: Reason.OperationFailed, message: op.message ?? `${op.type} failed` };
  return { status: "False", reason: Reason.AsExpected, message: "Nothing is wrong with the control plane" };
}

/** The one place a HostedCluster's status is computed from what the pass found (and threw). */
export function computeStatus(scope: HostedClusterScope, error?: unknown): Status {
  const { hc, now } = scope;
  const status: Status = { ...scope.status };
  for (const field of CLUSTER_OTHER_WRITERS) delete status[field];
  const platform = hostedPlatformName(hc);
  if (STATUS_PLATFORMS.includes(platform)) status.platform = platform as Status["platform"];
  status.powerState ??= "Pending";
  const observedGeneration = hc.metadata?.generation;
  const set = (list: Condition[], type: string, domain: Domain) =>
    setCondition(list, { type, ...domain, observedGeneration }, now);
  const stall = error instanceof TerminalError ? error : undefined;
  let conditions = (status.conditions ?? []) as Condition[];
  const avail = available(scope, status, stall);
  conditions = set(conditions, HostedClusterCondition.Available, avail);
  conditions = set(conditions, HostedClusterCondition.Progressing, progressing(status, avail, stall));
  conditions = set(conditions, HostedClusterCondition.Degraded, degraded(scope, status));
  const hibernating = status.powerState === "Hibernating";
  conditions = set(conditions, HostedClusterCondition.Hibernating, hibernatingCondition(status.powerState));
  const ignored = fieldsNotActedOn(hc);
  conditions = ignored.length
    ? set(conditions, HostedClusterCondition.FieldsNotActedOn, {
        status: "True",
        reason: FieldsReason.NotImplementedYet,
        message:
          `${ignored.join(", ")} is accepted but not acted on yet: no platform of this release publishes DNS ` +
          "names for a hosted control plane; clients reach it at status.controlPlaneEndpoint",
      })
    : removeCondition(conditions, HostedClusterCondition.FieldsNotActedOn);

  // Ready summarizes Available, where hibernating as the spec asks counts as reached (as a ClusterDeployment's
  // InfrastructureReady does), and registration and bootstrap once their controllers report them.
  const asked = hibernating && desiredPowerState(hc) === "Hibernating" && !stall;
  conditions = summarizeClusterReady(
    asked ? set(conditions, HostedClusterCondition.Available, { ...avail, status: "True" }) : conditions,
    {
      stored: { ...hc, status: scope.status },
      own: [HostedClusterCondition.Available],
      ready: { reason: avail.reason, message: avail.message },
      error,
      deleting: hc.metadata?.deletionTimestamp ? deletingSummary(scope, status) : undefined,
      observedGeneration,
    },
    now,
  );
  if (asked) conditions = set(conditions, HostedClusterCondition.Available, avail);
  status.conditions = ownedConditions(conditions);
  status.observedGeneration = observedGeneration;
  return status;
}

function deletingSummary(scope: HostedClusterScope, status: Status): { reason: string; message: string } {
  if (scope.nodePoolsLeft?.length)
    return {
      reason: Reason.WaitingForNodePools,
      message: `Deleting its NodePools first: ${scope.nodePoolsLeft.join(", ")}; then the control plane`,
    };
  const op = status.stack;
  if (op?.type === "destroy" && op.retry)
    return {
      reason: Reason.DestroyFailed,
      message:
        `destroy failed (attempt ${op.retry.failedAttempts ?? 1}): ${op.message ?? "unknown error"}; retried at ` +
        `${op.retry.nextAt ?? "once backoff ends"}. To release it anyway, annotate it slipway.dev/abandon-deprovision=true`,
    };
  return { reason: Reason.Deprovisioning, message: "Destroying the control plane and its data" };
}
