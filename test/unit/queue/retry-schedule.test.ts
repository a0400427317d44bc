import { afterEach, describe, expect, it, vi } from "vitest";
import {
  isWorkerLost,
  nextRetryAt,
  retryDelayMs,
  type RetrySchedule,
} from "../../../src/queue/retry-schedule.js";
import { loadConfig } from "../../../src/runtime/config.js";

describe("the retry schedule of transient failures", () => {
  afterEach(() => vi.useRealTimers());
  const defaults: RetrySchedule = {
    baseMs: loadConfig({}).worker.backoffMs,
    capMs: loadConfig({}).worker.backoffCapMs,
  };

  it("doubles from 5 s to a cap of 5 min by default, and attempts have no limit", () => {
    expect(defaults).toEqual({ baseMs: 5_000, capMs: 300_000 });
    expect(loadConfig({}).worker.attempts).toBe(0); // 0: no limit
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelayMs(n, defaults) / 1000)).toEqual([
      5, 10, 20, 40, 80, 160, 300, 300,
    ]);
  });

  it("keeps retrying at the cap however long the failure lasts", () => {
    for (const n of [9, 50, 1_000, 1_000_000, Number.MAX_SAFE_INTEGER])
      expect(retryDelayMs(n, defaults)).toBe(300_000);
    expect(retryDelayMs(3, { baseMs: 1_000, capMs: 2_500 })).toBe(2_500);
  });

  it("on a fake clock: a failure lasting a day is retried every 5 min once the cap is reached, never given up", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-30T00:00:00Z"));
    const start = Date.now();
    const retries: number[] = [];
    for (let failed = 1; Date.now() - start < 24 * 3600_000; failed++) {
      const at = nextRetryAt(new Date(), failed, defaults);
      retries.push(at.getTime() - Date.now());
      vi.setSystemTime(at);
    }
    // 7 waits to reach the cap (615 s), then one every 300 s for the rest of the day.
    expect(retries.slice(0, 7)).toEqual([5, 10, 20, 40, 80, 160, 300].map((s) => s * 1000));
    expect(new Set(retries.slice(6))).toEqual(new Set([300_000]));
    expect(retries.length).toBe(6 + Math.ceil((24 * 3600 - 315) / 300));
  });

  it("a job BullMQ failed because its worker kept dying is retried, not stalled", () => {
    expect(isWorkerLost("job stalled more than allowable limit")).toBe(true);
    expect(isWorkerLost("InvalidInputs: clusterName is too long")).toBe(false);
    expect(isWorkerLost(undefined)).toBe(false);
  });
});
