import type { CronExpression } from "cron-parser";
import type { PowerState } from "../api/index.js";
import { cron, latestAtOrBefore } from "./cron.js";
import type { Schedule } from "./schedule.js";

/** One moment some schedules fire, and the power state the schedules ask for then. */
export interface ScheduleMoment {
  at: Date;
  powerState: PowerState;
  /** The schedules (by index) whose start fires now. */
  starts: number[];
  /** The schedules (by index) whose end fires now. */
  ends: number[];
  /**
   * Windows whose end fires now and would wake the cluster (no other window holds it asleep) but for a start at
   * the same moment: their end is dropped.
   */
  dropped: number[];
}

interface Cursor {
  index: number;
  field: "start" | "end";
  it: CronExpression;
  upcoming?: number;
}

/**
 * The moments schedules fire after `from`, one at a time in time order, each with the power state it asks for:
 * a start hibernates; otherwise the cluster sleeps while any window (a schedule with start and end) is open,
 * its last start later than its last end. Lazy: each cron expression is stepped only as far as it is read, so a
 * caller that stops at the first wake pays for the moments up to it, not for a year of them.
 */
export class ScheduleWalk {
  /** Moments returned so far: what a caller bounds its walk by. */
  steps = 0;
  private readonly cursors: Cursor[] = [];
  private readonly lastStart: (number | undefined)[];
  private readonly lastEnd: (number | undefined)[];

  constructor(
    private readonly schedules: readonly Schedule[],
    private readonly from: Date,
  ) {
    const latest = (schedule: Schedule, field: "start" | "end") =>
      schedule.start && schedule.end
        ? latestAtOrBefore(schedule[field]!, schedule.location ?? "UTC", from)?.getTime()
        : undefined;
    this.lastStart = schedules.map((schedule) => latest(schedule, "start"));
    this.lastEnd = schedules.map((schedule) => latest(schedule, "end"));
    schedules.forEach((schedule, index) => {
      for (const field of ["start", "end"] as const) {
        const expression = schedule[field];
        if (expression === undefined) continue;
        const cursor: Cursor = { index, field, it: cron(expression, schedule.location ?? "UTC", from) };
        this.advance(cursor);
        this.cursors.push(cursor);
      }
    });
  }

  /** The next moment any schedule fires; undefined when none ever does again. */
  next(): ScheduleMoment | undefined {
    let at = Number.POSITIVE_INFINITY;
    for (const cursor of this.cursors) if (cursor.upcoming !== undefined) at = Math.min(at, cursor.upcoming);
    if (at === Number.POSITIVE_INFINITY) return undefined;
    const starts: number[] = [];
    const ends: number[] = [];
    const openBefore = this.lastStart.map((_, index) => this.isOpen(index));
    for (const cursor of this.cursors) {
      if (cursor.upcoming !== at) continue;
      if (cursor.field === "start") {
        starts.push(cursor.index);
        if (this.schedules[cursor.index]!.end) this.lastStart[cursor.index] = at;
      } else {
        ends.push(cursor.index);
        if (this.schedules[cursor.index]!.start) this.lastEnd[cursor.index] = at;
      }
      this.advance(cursor);
    }
    this.steps++;
    const windowOpen = this.lastStart.some((_, index) => this.isOpen(index));
    const heldWithoutStarts = openBefore.some((open, index) => open && !ends.includes(index));
    const dropped =
      starts.length > 0 && !heldWithoutStarts
        ? ends.filter((index) => openBefore[index] || starts.includes(index))
        : [];
    const powerState = starts.length > 0 || windowOpen ? "Hibernating" : "Running";
    return { at: new Date(at), powerState, starts, ends, dropped };
  }

  /** A window is open when its last start is later than its last end. */
  private isOpen(index: number): boolean {
    const start = this.lastStart[index];
    const end = this.lastEnd[index];
    return start !== undefined && (end === undefined || start > end);
  }

  /** Forward only: on the fall-back day a local time that repeats fires once, the first time. */
  private advance(cursor: Cursor): void {
    try {
      let next = cursor.it.next().toDate().getTime();
      while (next <= this.from.getTime()) next = cursor.it.next().toDate().getTime();
      cursor.upcoming = next;
    } catch {
      cursor.upcoming = undefined;
    }
  }
}
