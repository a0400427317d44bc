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

/**
 * TEST AND DEMO ONLY: schedule time that runs `factor` times faster than real time from `origin` on: at real time
 * `origin + t` it is `origin + factor * t`. Two processes given the same factor and origin agree on the time, so a
 * test can tell a controller process when its schedule fires. With factor 60 a cron minute lasts a real second,
 * while the API keeps its five-field cron. Set on a controller with SLIPWAY_POWER_CLOCK_SCALE and
 * SLIPWAY_POWER_CLOCK_ORIGIN; a factor of 1 is the system clock.
 */
export class ScaledClock implements PowerClock {
  constructor(
    readonly factor: number,
    readonly origin = Date.now(),
  ) {}

  now(): Date {
    return new Date(this.origin + (Date.now() - this.origin) * this.factor);
  }

  msUntil(at: Date): number {
    return (at.getTime() - this.now().getTime()) / this.factor;
  }
}

/** The clock a controller is configured with: the system clock unless a scale above 1 is set. */
export function configuredClock(config: { clockScale: number; clockOrigin?: number }): PowerClock {
  return config.clockScale > 1 ? new ScaledClock(config.clockScale, config.clockOrigin) : systemClock;
}
