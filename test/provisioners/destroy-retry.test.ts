import { describe, expect, it } from "vitest";
import {
  DESTROY_RETRY_CAP_MS,
  destroyRetryDelayMs,
} from "../../src/provisioners/cluster-deployment/phases.js";

describe("destroyRetryDelayMs", () => {
  it("doubles from the job backoff for each retry of a failed destroy", () => {
    expect([1, 2, 3, 4].map((n) => destroyRetryDelayMs(n, 5_000))).toEqual([5_000, 10_000, 20_000, 40_000]);
  });

  it("is capped, so a destroy failing for hours is still tried every few minutes", () => {
    expect(destroyRetryDelayMs(30, 5_000)).toBe(DESTROY_RETRY_CAP_MS);
    expect(destroyRetryDelayMs(1_000, 5_000)).toBe(DESTROY_RETRY_CAP_MS);
    expect(destroyRetryDelayMs(3, 1_000, 2_500)).toBe(2_500);
  });
});
