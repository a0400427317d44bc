import type { ClusterFailover } from "../api/index.js";
import { ClusterFailoverReason as Reason } from "../api/reasons.js";
import { setCondition, summarize, type Condition } from "../runtime/conditions.js";
import type { StatusInput } from "../runtime/reconciler.js";
import type { OwnedStatus } from "../runtime/status-patch.js";
import type { FailoverScope } from "./phases.js";
import { achievedRtoSeconds, countEntries } from "./plan.js";

export const FailoverCondition = { Completed: "Completed" } as const;

function progress(status: OwnedStatus, rto: number | undefined): string {
  const rtoText = rto !== undefined ? `; ${rto.toFixed(1)} s to the last Ready` : "";
  return (
    `${String(status.ready)}/${String(status.total)} Ready, ${String(status.resuming)} resuming, ` +
    `${String(status.pending)} pending, ${String(status.failed)} failed${rtoText}`
  );
}

/** The one place a ClusterFailover's status is computed. */
export function computeFailoverStatus(input: StatusInput<ClusterFailover, FailoverScope>): OwnedStatus {
  const { object, scope, now } = input;
  const previous = object.status ?? {};
  const entries = scope?.entries ?? previous.clusters ?? [];
  const phase = scope?.phase ?? previous.phase ?? "Pending";
  const startedAt = scope?.startedAt ?? previous.startedAt;
  const ended = ["Succeeded", "PartiallyFailed", "Failed", "Cancelled"].includes(phase);
  const rto = achievedRtoSeconds(startedAt, entries);
  const counts = countEntries(entries);
  const status: OwnedStatus = {
    phase,
    startedAt,
    completedAt: ended ? (scope?.completedAt ?? previous.completedAt) : undefined,
    // The RTO is the time to the last Ready once every cluster is Ready; partial figures show in the message.
    rtoSeconds: phase === "Succeeded" ? rto : undefined,
    ...counts,
    primaryHibernated: scope?.primaryHibernated ?? previous.primaryHibernated,
    clusters: entries.length > 0 ? entries : undefined,
  };
  const generation = object.metadata.generation;
  const completed = ended
    ? {
        status: "True" as const,
        reason: phase,
        message: `${phase}: ${progress(status, rto)}`,
      }
    : {
        status: "False" as const,
        reason:
          phase === "Cancelling"
            ? Reason.Cancelling
            : counts.pending > 0
              ? Reason.Resuming
              : Reason.WaitingForClusters,
        message: startedAt ? progress(status, undefined) : "The failover has not started yet",
      };
  let conditions = setCondition(
    (previous.conditions ?? []) as Condition[],
    { type: FailoverCondition.Completed, ...completed, observedGeneration: generation },
    now,
  );
  conditions = summarize(
    conditions,
    {
      conditions: [FailoverCondition.Completed],
      ready: { reason: phase, message: completed.message },
      error: input.error,
      observedGeneration: generation,
    },
    now,
  );
  status.conditions = conditions;
  return status;
}
