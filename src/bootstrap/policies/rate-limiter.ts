/**
 * A per-key budget of so many a second (a fixed one-second window). Kept in the controller's memory: it only
 * spreads work, so losing it on a restart costs at most one more second's worth.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(private readonly perSecond: number) {}

  /** How many of `wanted` may go now for `key`; they count against this second's budget. */
  take(key: string, wanted: number, now: Date): number {
    const at = now.getTime();
    let window = this.windows.get(key);
    if (!window || at - window.start >= 1000) {
      window = { start: at, used: 0 };
      this.windows.set(key, window);
    }
    const granted = Math.max(0, Math.min(wanted, this.perSecond - window.used));
    window.used += granted;
    if (this.windows.size > 10_000) this.windows.delete(this.windows.keys().next().value!);
    return granted;
  }
}
