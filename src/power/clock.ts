/**
 * The power controller's time. Schedules are evaluated at `now()`; a timer for a moment is set `msUntil(at)` real
 * milliseconds ahead. Production uses the system clock; a test can run schedule time faster than real time.
 */
export interface PowerClock {
  now(): Date;
  msUntil(at: Date): number;
}

export const systemClock: PowerClock = {
  now: () => new Date(),
  msUntil: (at) => at.getTime() - Date.now(),
};
