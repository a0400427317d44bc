import { apiTime } from "../api/duration.js";
import { firstAfter, latestAtOrBefore } from "./cron.js";
import { LOOKAHEAD_MS, type Schedule, type ScheduleProblem } from "./schedule.js";
import { ScheduleWalk, type ScheduleMoment } from "./schedule-walk.js";

/**
 * Every window start within this span of now is checked for a wake after it, and so is each window's first
 * start however far off: a start whose wake depends on the date (two zones' daylight-saving days, a monthly
 * day) is found at least this long before it fires, and the controller re-checks on every pass.
 */
export const STRAND_CHECK_MS = 8 * 24 * 3_600_000;
/** A wake further than this after a hibernate counts as none, as status.power.nextWakeAt looks no further. */
export const WAKE_HORIZON_MS = LOOKAHEAD_MS;
/** Moments walked at most: a minute-by-minute schedule fires 11,520 times in 8 days. */
const MAX_WALK_STEPS = 12_000;
const HORIZON_DAYS = WAKE_HORIZON_MS / 86_400_000;

const location = (schedule: Schedule) => schedule.location ?? "UTC";

/**
 * The windows (schedules with start and end) that can put the cluster to sleep with no wake ever following:
 * a window's start hibernates and, within WAKE_HORIZON_MS after it, no moment asks the cluster to run. That is
 * the case when its end fires at the same moments as its start (the same cron, or another text for the same
 * times), when its end never fires after the start (a day a month does not have), when every wake is taken by a
 * start at the same moment (another window's, a lone start's, a duplicate's, one in another zone) or when
 * another window holds the cluster asleep at each end. A lone start is not a window: it only ever puts the
 * cluster to sleep, by design. Pure: `from` is the time to check from. Empty when nothing strands.
 */
export function strandingProblems(schedules: readonly Schedule[], from: Date): ScheduleProblem[] {
  const windows = new Set(schedules.flatMap((s, index) => (s.start && s.end ? [index] : [])));
  if (windows.size === 0) return [];
  const unstarted = new Set(windows);
  const checkUntil = from.getTime() + STRAND_CHECK_MS;
  const walk = new ScheduleWalk(schedules, from);
  /** The first hibernate by a window's start that no wake has followed yet. */
  let asleep: ScheduleMoment | undefined;
  /** The first end dropped by a start at the same moment that no wake has followed yet. */
  let dropped: ScheduleMoment | undefined;
  for (let moment = walk.next(); moment; moment = walk.next()) {
    const at = moment.at.getTime();
    if (asleep && at - asleep.at.getTime() > WAKE_HORIZON_MS) break;
    if (dropped && at - dropped.at.getTime() > STRAND_CHECK_MS)
      return [droppedEndProblem(schedules, dropped)];
    if (moment.powerState === "Running") {
      asleep = undefined;
      dropped = undefined;
    } else {
      const windowStarts = moment.starts.filter((index) => windows.has(index));
      for (const index of windowStarts) unstarted.delete(index);
      if (!asleep && windowStarts.length > 0) asleep = moment;
      if (!dropped && moment.dropped.length > 0) dropped = moment;
    }
    if (
      !asleep &&
      !dropped &&
      ((at > checkUntil && unstarted.size === 0) || at - from.getTime() > WAKE_HORIZON_MS)
    )
      return [];
    if (walk.steps >= MAX_WALK_STEPS) break;
  }
  if (dropped) return [droppedEndProblem(schedules, dropped)];
  return asleep ? [strandProblem(schedules, asleep, windows)] : [];
}

/** A window's end that a start at the same moment dropped, with no wake in the days after. */
function droppedEndProblem(schedules: readonly Schedule[], moment: ScheduleMoment): ScheduleProblem {
  const index = moment.dropped[0]!;
  const schedule = schedules[index]!;
  const by = moment.starts.includes(index) ? index : moment.starts[0]!;
  const start = by === index ? "its own start" : `the start "${schedules[by]!.start}" of schedules[${by}]`;
  return {
    index,
    field: "end",
    strands: true,
    message:
      `schedules[${index}] ends ("${schedule.end}") at ${apiTime(moment.at)}, the same moment as ${start}, and a start and an end at ` +
      `the same moment hibernate: the end is dropped and nothing wakes the cluster in the ` +
      `${STRAND_CHECK_MS / 86_400_000} days after. Move the end or the start (mind the locations' daylight-saving ` +
      "days), or leave end out if the schedule should only put the cluster to sleep",
  };
}

/** What strands the first window that starts at `asleep`, and what to change, in words. */
function strandProblem(
  schedules: readonly Schedule[],
  asleep: ScheduleMoment,
  windows: ReadonlySet<number>,
): ScheduleProblem {
  const index = asleep.starts.find((i) => windows.has(i))!;
  const schedule = schedules[index]!;
  const opening = `schedules[${index}] hibernates the cluster at ${apiTime(asleep.at)} and nothing wakes it in the ${HORIZON_DAYS} days after`;
  const sleepOnly = "or leave end out if the schedule should only put the cluster to sleep";
  if (latestAtOrBefore(schedule.end!, location(schedule), asleep.at)?.getTime() === asleep.at.getTime())
    return {
      index,
      field: "end",
      strands: true,
      message: `${opening}: its end "${schedule.end}" fires at the same moment as its start "${schedule.start}", and a start and an end at the same moment hibernate. Give end another time, ${sleepOnly}`,
    };
  const end = firstAfter(schedule.end!, location(schedule), asleep.at);
  if (!end || end.getTime() - asleep.at.getTime() > WAKE_HORIZON_MS)
    return {
      index,
      field: "end",
      strands: true,
      message: `${opening}: its end "${schedule.end}" never fires in that time. Give end a time that comes after every start, ${sleepOnly}`,
    };
  const startsThen = schedules.flatMap((other, i) =>
    other.start && latestAtOrBefore(other.start, location(other), end)?.getTime() === end.getTime()
      ? [i]
      : [],
  );
  const sameMoment = "and a start and an end at the same moment hibernate";
  if (startsThen.length > 0) {
    const other = startsThen.find((i) => i !== index) ?? index;
    return {
      index,
      field: "end",
      strands: true,
      message: `${opening}: its end at ${apiTime(end)} falls at the same moment as the start "${schedules[other]!.start}" of schedules[${other}], ${sameMoment}. Move one of them, ${sleepOnly}`,
    };
  }
  const holding = [...windows].filter((i) => {
    if (i === index) return false;
    const other = schedules[i]!;
    const lastStart = latestAtOrBefore(other.start!, location(other), end);
    const lastEnd = latestAtOrBefore(other.end!, location(other), end);
    return lastStart !== undefined && (lastEnd === undefined || lastStart > lastEnd);
  });
  const held = holding.length > 0 ? `schedules[${holding[0]}]` : "another window";
  return {
    index,
    field: "end",
    strands: true,
    message: `${opening}: when its end fires (${apiTime(end)}), ${held} still holds the cluster asleep, and that window's own end never wakes it either. Give the windows ends that come after their starts, ${sleepOnly}`,
  };
}

/** Verdicts by schedules and hour: a pass or a trigger job asks again only when the spec or the hour changed. */
const verdicts = new Map<string, ScheduleProblem[]>();
const MAX_VERDICTS = 1_024;

/**
 * strandingProblems from the start of `now`'s hour, remembered: the walk costs up to a year of cron steps when
 * a window does strand, and the controller asks on every pass.
 */
export function strandingProblemsThisHour(schedules: readonly Schedule[], now: Date): ScheduleProblem[] {
  const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  const key = `${hour} ${JSON.stringify(schedules.map((s) => [s.start, s.end, location(s)]))}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = strandingProblems(schedules, new Date(hour));
    if (verdicts.size >= MAX_VERDICTS) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(key, verdict);
  }
  return verdict;
}
