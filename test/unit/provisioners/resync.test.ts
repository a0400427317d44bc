import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { spreadResync } from "../../../src/provisioners/cluster-deployment/phases.js";

describe("spreadResync", () => {
  it("keeps one resource's interval fixed, within 10% of the configured one", () => {
    const uid = randomUUID();
    expect(spreadResync(300_000, uid)).toBe(spreadResync(300_000, uid));
    expect(spreadResync(300_000, uid)).toBeGreaterThanOrEqual(270_000);
    expect(spreadResync(300_000, uid)).toBeLessThanOrEqual(330_000);
  });

  it("spreads a fleet created together over the whole window", () => {
    const intervals = Array.from({ length: 200 }, () => spreadResync(300_000, randomUUID()));
    expect(Math.min(...intervals)).toBeLessThan(280_000);
    expect(Math.max(...intervals)).toBeGreaterThan(320_000);
    expect(new Set(intervals).size).toBeGreaterThan(150);
  });
});
