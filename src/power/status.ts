import type { ClusterObject, PowerStatus } from "../api/index.js";
import { apiTime } from "../api/duration.js";
import { ClusterDeploymentReason as Reason } from "../api/reasons.js";
import { getCondition, setCondition, type Condition } from "../runtime/conditions.js";
import type { StatusInput } from "../runtime/reconciler.js";
import type { OwnedStatus } from "../runtime/status-patch.js";
import type { PowerDecision } from "./decide.js";
import { MISSED_TRIGGER_DEADLINE_MS } from "./schedule.js";
import type { PowerScope } from "./scope.js";
import { accountUsage } from "./usage.js";

/** The one condition the power controller owns. */
export const SCHEDULED_CONDITION = "Scheduled";

type Source = NonNullable<PowerStatus["source"]>;
type Domain = Pick<Condition, "status" | "reason" | "message">;

const time = (date: Date | undefined) => (date ? apiTime(date) : undefined);

/** What decides the desired power state now: the pool, the last trigger (if spec still says so), or the spec. */
function powerSource(scope: PowerScope): Source {
  if (scope.decision?.skip?.reason === Reason.PoolManaged) return "Pool";
  const last = scope.lastTrigger;
  const asked = scope.cd.spec.powerState ?? "Running";
  if (last && (last.outcome === "Applied" || last.outcome === "Unchanged") && last.powerState === asked)
    return last.source ?? "Spec";
  return "Spec";
}

function scheduledCondition(cd: ClusterObject, decision: PowerDecision): Domain {
  if (decision.skip) return { status: "False", reason: decision.skip.reason, message: decision.skip.message };
  const hibernateAfter = cd.spec.hibernateAfter
    ? `; hibernateAfter ${cd.spec.hibernateAfter} still applies`
    : "";
  if (decision.problems.length > 0) {
    const zone = decision.problems.some((p) => p.field === "location");
    const strands = decision.problems.some((p) => p.strands);
    return {
      status: "False",
      reason: zone
        ? Reason.UnknownTimeZone
        : strands
          ? Reason.ScheduleStrandsCluster
          : Reason.InvalidSchedule,
      message: `${decision.problems.map((p) => p.message).join("; ")}: fix spec.hibernation, no schedule is acted on until then${hibernateAfter}`,
    };
  }
  const schedules = cd.spec.hibernation?.schedules?.length ?? 0;
  if (schedules === 0 && !cd.spec.hibernateAfter)
    return {
      status: "False",
      reason: Reason.NoSchedule,
      message: "No hibernation schedule and no hibernateAfter: spec.powerState alone decides",
    };
  const parts = [
    decision.nextHibernateAt
      ? `next hibernate at ${apiTime(decision.nextHibernateAt)}`
      : "no hibernate ahead",
    decision.nextWakeAt ? `next wake at ${apiTime(decision.nextWakeAt)}` : "no wake ahead",
  ];
  if (decision.hibernateAfterAt)
    parts.push(`hibernateAfter hibernates it at ${apiTime(decision.hibernateAfterAt)}`);
  return {
    status: "True",
    reason: Reason.ScheduleActive,
    message: `${parts.join("; ")} (missed triggers are caught up within ${MISSED_TRIGGER_DEADLINE_MS / 3_600_000} h)`,
  };
}

/**
 * status.power and condition Scheduled, nothing else: other controllers own the rest of the status, and
 * conditions is a map keyed by type, so server-side apply keeps their entries.
 */
export function computePowerStatus(input: StatusInput<ClusterObject, PowerScope>): OwnedStatus {
  const { object: cd, scope } = input;
  const stored = cd.status?.power;
  const storedCondition = getCondition(cd.status?.conditions as Condition[] | undefined, SCHEDULED_CONDITION);
  if (!scope?.decision) {
    return { power: stored, conditions: storedCondition ? [storedCondition] : undefined };
  }
  const { decision } = scope;
  const source = powerSource(scope);
  const next = decision.next;
  const power: PowerStatus = {
    source,
    nextPowerState: next?.powerState,
    nextTransitionAt: time(next?.at),
    nextHibernateAt: time(decision.nextHibernateAt),
    nextWakeAt: time(decision.nextWakeAt),
    lastTriggerAt: scope.lastTriggerAt,
    lastTrigger: scope.lastTrigger,
    usage: accountUsage(cd, source, scope.now),
  };
  const domain = scheduledCondition(cd, decision);
  power.message = domain.message.slice(0, 4096);
  const conditions = setCondition(
    storedCondition ? [storedCondition] : [],
    { type: SCHEDULED_CONDITION, ...domain, observedGeneration: cd.metadata.generation },
    input.now,
  );
  return { power: withoutUndefinedFields(power), conditions };
}

function withoutUndefinedFields<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}
