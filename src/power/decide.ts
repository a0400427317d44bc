import {
  FAILOVER_ANNOTATION,
  clusterPoolRefSetByPool,
  clusterView,
  type ClusterObject,
  type PowerState,
} from "../api/index.js";
import { parseDuration } from "../api/duration.js";
import { ClusterDeploymentReason as Reason } from "../api/reasons.js";
import {
  desiredPowerState,
  scheduleProblems,
  type ScheduleEvaluation,
  type ScheduleProblem,
} from "./schedule.js";
import { strandingProblemsThisHour } from "./strands.js";

export type TriggerSource = "Schedule" | "HibernateAfter";

/** A moment the power controller changes spec.powerState. */
export interface PowerTrigger {
  at: Date;
  source: TriggerSource;
  powerState: PowerState;
}

export type SkipReason =
  | typeof Reason.PowerSkippedDeleting
  | typeof Reason.PowerSkippedStalled
  | typeof Reason.PowerSkippedFailover
  | typeof Reason.PoolManaged;

/** What the power controller makes of one cluster (ClusterDeployment or HostedCluster) at one moment. Pure: see decidePower. */
export interface PowerDecision {
  /** Set when the controller leaves the cluster's power alone. */
  skip?: { reason: SkipReason; message: string };
  /** With skip: a schedule trigger that fell while the cluster was held; it is consumed, never applied. */
  heldTrigger?: PowerTrigger;
  problems: ScheduleProblem[];
  schedules: ScheduleEvaluation;
  /** When hibernateAfter hibernates the running cluster. */
  hibernateAfterAt?: Date;
  /** Triggers to apply now, schedule first. */
  due: PowerTrigger[];
  /** A schedule trigger found more than the deadline late: dropped. */
  missed?: PowerTrigger;
  /** The next trigger to set a timer for. */
  next?: PowerTrigger;
  nextHibernateAt?: Date;
  nextWakeAt?: Date;
}

/** Why the controller leaves this cluster's power alone, if it does. */
export function skipReason(cd: ClusterObject): PowerDecision["skip"] {
  if (cd.metadata.deletionTimestamp)
    return { reason: Reason.PowerSkippedDeleting, message: "The cluster is being deleted" };
  const stalled = cd.status?.conditions?.find((c) => c.type === "Stalled" && c.status === "True");
  if (stalled)
    return {
      reason: Reason.PowerSkippedStalled,
      message: `The cluster is Stalled (${stalled.reason}): power triggers wait until it recovers`,
    };
  const failover = cd.metadata.annotations?.[FAILOVER_ANNOTATION];
  if (failover !== undefined)
    return {
      reason: Reason.PowerSkippedFailover,
      message: `ClusterFailover ${failover} holds this cluster running (annotation ${FAILOVER_ANNOTATION}): power triggers wait until the annotation goes`,
    };
  const poolRef = clusterView(cd).clusterPoolRef;
  if (cd.kind === "ClusterDeployment" && clusterPoolRefSetByPool(cd) && !poolRef?.claimName)
    return {
      reason: Reason.PoolManaged,
      message: `Unclaimed cluster of pool ${poolRef!.poolName}: the pool's runningCount decides its power; schedules and hibernateAfter apply once it is claimed`,
    };
  return undefined;
}

/**
 * When hibernateAfter hibernates a running cluster: the duration after the latest of provisioned, claimed and
 * resumed. Undefined when not set, or when the cluster is not running (or not asked to).
 */
export function hibernateAfterDeadline(cd: ClusterObject): Date | undefined {
  if ((cd.spec.powerState ?? "Running") !== "Running" || cd.status?.powerState !== "Running")
    return undefined;
  return hibernateAfterFromStarts(cd);
}

/**
 * The hibernateAfter trigger that put the cluster to sleep, due by `now`, whose outcome status may not show yet:
 * once it fired, spec.powerState is Hibernating and hibernateAfterDeadline no longer answers.
 */
export function firedHibernateAfter(cd: ClusterObject, now: Date): PowerTrigger | undefined {
  if (cd.spec.powerState !== "Hibernating") return undefined;
  const at = hibernateAfterFromStarts(cd);
  return at && at <= now ? { at, source: "HibernateAfter", powerState: "Hibernating" } : undefined;
}

function hibernateAfterFromStarts(cd: ClusterObject): Date | undefined {
  const after = cd.spec.hibernateAfter;
  if (!after) return undefined;
  const starts = [
    cd.status?.provisionedAt,
    clusterView(cd).clusterPoolRef?.claimedTimestamp,
    cd.status?.lastResumedAt,
  ]
    .filter((t): t is string => t !== undefined)
    .map((t) => Date.parse(t));
  if (starts.length === 0) return undefined;
  return new Date(Math.max(...starts) + parseDuration(after));
}

/**
 * The power decision for one cluster (ClusterDeployment or HostedCluster): skipped, or the schedule and hibernateAfter triggers due now and
 * next. `lastTriggerAt` comes from status.power (triggers at or before it are done); schedules never reach back
 * before the resource's creation.
 */
export function decidePower(cd: ClusterObject, now: Date): PowerDecision {
  const decision: PowerDecision = { problems: [], schedules: {}, due: [] };
  const schedules = cd.spec.hibernation?.schedules ?? [];
  decision.problems = scheduleProblems(schedules);
  // Only schedules that can be evaluated can be walked; one that strands the cluster is not acted on at all.
  if (decision.problems.length === 0) decision.problems = strandingProblemsThisHour(schedules, now);
  if (schedules.length > 0 && decision.problems.length === 0) {
    const lastTriggerAt = cd.status?.power?.lastTriggerAt;
    const created = cd.metadata.creationTimestamp;
    decision.schedules = desiredPowerState(
      schedules,
      {
        lastTriggerAt: lastTriggerAt ? new Date(lastTriggerAt) : undefined,
        notBefore: created ? new Date(created) : undefined,
      },
      now,
    );
  }
  const evaluation = decision.schedules;
  const skip = skipReason(cd);
  if (skip) {
    const held = evaluation.due ?? evaluation.missed;
    return { ...decision, schedules: {}, skip, heldTrigger: held && { ...held, source: "Schedule" } };
  }
  if (evaluation.due) decision.due.push({ ...evaluation.due, source: "Schedule" });
  if (evaluation.missed) decision.missed = { ...evaluation.missed, source: "Schedule" };
  if (evaluation.next) decision.next = { ...evaluation.next, source: "Schedule" };
  decision.nextHibernateAt = evaluation.nextHibernateAt;
  decision.nextWakeAt = evaluation.nextWakeAt;

  const deadline = hibernateAfterDeadline(cd);
  decision.hibernateAfterAt = deadline;
  if (deadline) {
    const trigger: PowerTrigger = { at: deadline, source: "HibernateAfter", powerState: "Hibernating" };
    if (deadline <= now) decision.due.push(trigger);
    else {
      if (!decision.next || deadline < decision.next.at) decision.next = trigger;
      if (!decision.nextHibernateAt || deadline < decision.nextHibernateAt)
        decision.nextHibernateAt = deadline;
    }
  }
  return decision;
}
