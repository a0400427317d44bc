import { CronExpressionParser } from "cron-parser";
import type { HibernationSchedule, PowerState } from "../api/index.js";
import { cron, latestAtOrBefore } from "./cron.js";
import { ScheduleWalk } from "./schedule-walk.js";

/**
 * A trigger missed while Slipway was down (controller stopped, Redis lost) is still applied up to this long after
 * its time, and dropped after it: a cluster should not be hibernated at noon because of last night's schedule.
 * Gardener uses the same 2 hours.
 */
export const MISSED_TRIGGER_DEADLINE_MS = 2 * 3_600_000;

/** How far ahead the next hibernate and wake times are looked for. */
export const LOOKAHEAD_MS = 400 * 24 * 3_600_000;
/** Upper bound on cron occurrences walked in one evaluation (a `* * * * *` schedule fires 120 times in 2 h). */
const MAX_STEPS = 2_000;
/** Upper bound on moments walked looking ahead. */
const MAX_LOOKAHEAD_STEPS = MAX_STEPS;

/** A hibernation schedule as the spec holds it; location defaults to UTC. */
export type Schedule = Pick<HibernationSchedule, "start" | "end"> & { location?: string };

/** One moment schedules fire: the power state they ask for then, and which schedules (by index) fire. */
export interface ScheduleTrigger {
  at: Date;
  powerState: PowerState;
  schedules: number[];
}

/** What the schedules say at `now`. */
export interface ScheduleEvaluation {
  /**
   * The power state to apply now: the latest trigger after the last applied one, not older than the deadline.
   * Undefined when no trigger is due: spec.powerState holds, including a change someone made by hand.
   */
  powerState?: PowerState;
  due?: ScheduleTrigger;
  /** The latest trigger after the last applied one, older than the deadline: dropped, never applied. */
  missed?: ScheduleTrigger;
  /** The next moment any schedule fires (what to set a timer for). */
  next?: ScheduleTrigger;
  nextHibernateAt?: Date;
  nextWakeAt?: Date;
}

/** What was applied before: triggers at or before these times are done. */
export interface LastTriggers {
  /** The latest trigger applied (or dropped). */
  lastTriggerAt?: Date;
  /** Triggers before this never count (the resource's creation: a schedule does not act on its own past). */
  notBefore?: Date;
}

/** A schedule field that cannot be evaluated: the message says what to change. */
export interface ScheduleProblem {
  index: number;
  field: "start" | "end" | "location";
  message: string;
  /** The schedules can put the cluster to sleep with no wake following (strands.ts). */
  strands?: boolean;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every reason the schedules cannot be evaluated; empty when they all can. */
export function scheduleProblems(schedules: readonly Schedule[]): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  schedules.forEach((schedule, index) => {
    const location = schedule.location ?? "UTC";
    if (!isKnownTimeZone(location)) {
      problems.push({
        index,
        field: "location",
        message: `schedules[${index}].location "${location}" is not an IANA time zone this Slipway knows (for example Europe/Berlin)`,
      });
      return;
    }
    for (const field of ["start", "end"] as const) {
      const expression = schedule[field];
      if (expression === undefined) continue;
      try {
        CronExpressionParser.parse(expression, { tz: location, strict: false });
      } catch (error) {
        problems.push({
          index,
          field,
          message: `schedules[${index}].${field} "${expression}" is not a valid cron expression: ${(error as Error).message}`,
        });
      }
    }
  });
  return problems;
}

/**
 * Occurrences in (from, to], walking forward. Forward only: on the fall-back day cron-parser's prev() returns a
 * local time that repeats twice, next() returns it once, and a trigger must fire once.
 */
function occurrences(expression: string, location: string, from: Date, to: Date): Date[] {
  const it = cron(expression, location, from);
  const out: Date[] = [];
  for (let i = 0; i < MAX_STEPS; i++) {
    const at = it.next().toDate();
    if (at > to) break;
    if (at > from) out.push(at);
  }
  return out;
}

interface Firing {
  at: Date;
  index: number;
  field: "start" | "end";
}

function firingsBetween(schedules: readonly Schedule[], from: Date, to: Date): Firing[] {
  const firings: Firing[] = [];
  schedules.forEach((schedule, index) => {
    for (const field of ["start", "end"] as const) {
      const expression = schedule[field];
      if (expression === undefined) continue;
      for (const at of occurrences(expression, schedule.location ?? "UTC", from, to))
        firings.push({ at, index, field });
    }
  });
  return firings.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The power state the schedules ask for at a moment some of them fire. Overlapping windows merge: the cluster
 * sleeps while any window (a schedule with both start and end) is open, so one window's end does not wake a
 * cluster another window still holds asleep. A start always hibernates; a lone end wakes unless a window holds.
 */
function stateAt(schedules: readonly Schedule[], at: Date, firing: Firing[]): PowerState {
  if (firing.some((f) => f.field === "start")) return "Hibernating";
  const windowOpen = schedules.some((schedule, index) => {
    if (!schedule.start || !schedule.end || firing.some((f) => f.index === index)) return false;
    const location = schedule.location ?? "UTC";
    const lastStart = latestAtOrBefore(schedule.start, location, at);
    const lastEnd = latestAtOrBefore(schedule.end, location, at);
    return lastStart !== undefined && (lastEnd === undefined || lastStart > lastEnd);
  });
  return windowOpen ? "Hibernating" : "Running";
}

function triggerOf(schedules: readonly Schedule[], firings: Firing[]): ScheduleTrigger {
  const at = firings[0]!.at;
  return {
    at,
    powerState: stateAt(schedules, at, firings),
    schedules: [...new Set(firings.map((f) => f.index))],
  };
}

/** Firings grouped by moment, in time order. */
function moments(firings: Firing[]): Firing[][] {
  const groups: Firing[][] = [];
  for (const firing of firings) {
    const last = groups.at(-1);
    if (last && last[0]!.at.getTime() === firing.at.getTime()) last.push(firing);
    else groups.push([firing]);
  }
  return groups;
}

/**
 * What hibernation schedules (Gardener semantics: `start` hibernates, `end` wakes, 5-field cron in the IANA zone
 * `location`) ask for at `now`, given the triggers already applied. Pure: the caller supplies the clock.
 *
 * - Only the latest trigger since the last applied one counts; it is due if at most `deadlineMs` old, else
 *   dropped (returned as `missed`, so it is recorded and not looked at again).
 * - With no trigger due, `powerState` is undefined: spec.powerState holds, so a manual change (`slipway resume`)
 *   lasts until the next trigger.
 * - Daylight-saving changes follow cron-parser: a time skipped by spring-forward fires once, just after the
 *   jump; a time repeated by fall-back fires once, the first time.
 * - Schedules must be valid (scheduleProblems empty).
 */
export function desiredPowerState(
  schedules: readonly Schedule[],
  lastTriggers: LastTriggers,
  now: Date,
  deadlineMs = MISSED_TRIGGER_DEADLINE_MS,
): ScheduleEvaluation {
  if (schedules.length === 0) return {};
  const evaluation: ScheduleEvaluation = {};
  const after = Math.max(lastTriggers.lastTriggerAt?.getTime() ?? 0, lastTriggers.notBefore?.getTime() ?? 0);

  // Due: the latest moment in (max(after, now - deadline), now].
  const dueFrom = new Date(Math.max(after, now.getTime() - deadlineMs));
  const recent = moments(firingsBetween(schedules, dueFrom, now));
  if (recent.length > 0) {
    evaluation.due = triggerOf(schedules, recent.at(-1)!);
    evaluation.powerState = evaluation.due.powerState;
  } else if (after < dueFrom.getTime()) {
    // Nothing within the deadline: was there a trigger before it, since the last applied one? Dropped.
    const latest = latestMoment(schedules, dueFrom);
    if (latest && latest.at.getTime() > after) evaluation.missed = latest;
  }

  lookAhead(schedules, evaluation, now);
  return evaluation;
}

/**
 * The next trigger, hibernate and wake, walking moments lazily and stopping once found: only an end can wake and
 * only a start can hibernate, so what cannot come is not looked for. Materialising a year of moments to find a
 * wake that never comes cost a cluster whose window strands it 30 times the CPU of a normal one per pass.
 */
function lookAhead(schedules: readonly Schedule[], evaluation: ScheduleEvaluation, now: Date): void {
  const wantsHibernate = schedules.some((s) => s.start);
  const wantsWake = schedules.some((s) => s.end);
  const found = () =>
    (evaluation.nextHibernateAt || !wantsHibernate) && (evaluation.nextWakeAt || !wantsWake);
  const walk = new ScheduleWalk(schedules, now);
  const until = now.getTime() + LOOKAHEAD_MS;
  while (!found() && walk.steps < MAX_LOOKAHEAD_STEPS) {
    const moment = walk.next();
    if (!moment || moment.at.getTime() > until) return;
    const trigger: ScheduleTrigger = {
      at: moment.at,
      powerState: moment.powerState,
      schedules: [...new Set([...moment.starts, ...moment.ends])].sort((a, b) => a - b),
    };
    evaluation.next ??= trigger;
    if (trigger.powerState === "Hibernating") evaluation.nextHibernateAt ??= trigger.at;
    else evaluation.nextWakeAt ??= trigger.at;
  }
}

/** The latest moment any schedule fires at or before `at`. */
function latestMoment(schedules: readonly Schedule[], at: Date): ScheduleTrigger | undefined {
  const latest: Firing[] = [];
  schedules.forEach((schedule, index) => {
    for (const field of ["start", "end"] as const) {
      const expression = schedule[field];
      if (expression === undefined) continue;
      const previous = latestAtOrBefore(expression, schedule.location ?? "UTC", at);
      if (!previous) continue;
      const best = latest[0]?.at.getTime() ?? -Infinity;
      if (previous.getTime() > best) latest.splice(0, latest.length, { at: previous, index, field });
      else if (previous.getTime() === best) latest.push({ at: previous, index, field });
    }
  });
  return latest.length > 0 ? triggerOf(schedules, latest) : undefined;
}
