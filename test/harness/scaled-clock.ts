import type { PowerClock } from "../../src/power/clock.js";

/**
 * TEST ONLY: schedule time that runs `factor` times faster than real time, from now. With factor 60 a cron minute
 * lasts a real second, so a `* * * * *` schedule fires every second while the API keeps its five-field cron.
 */
export class ScaledClock implements PowerClock {
  private readonly realOrigin = Date.now();

  constructor(
    private readonly factor: number,
    private readonly origin = Date.now(),
  ) {}

  now(): Date {
    return new Date(this.origin + (Date.now() - this.realOrigin) * this.factor);
  }

  msUntil(at: Date): number {
    return (at.getTime() - this.now().getTime()) / this.factor;
  }
}
