import { describe, expect, it } from "vitest";
import type { ClusterClaim, ClusterPool } from "../../src/api/index.js";
import { claimLifetimeMs } from "../../src/pools/cluster-claim/phases.js";
import { parseDuration } from "../../src/pools/duration.js";
import { templateHash } from "../../src/pools/labels.js";

const claim = (lifetime?: string) => ({ spec: { clusterPoolName: "p", lifetime } }) as ClusterClaim;
const pool = (claimLifetime?: { default?: string; maximum?: string }) =>
  ({ spec: { size: 1, template: {}, claimLifetime } }) as unknown as ClusterPool;

describe("pool helpers", () => {
  it("parses Go durations", () => {
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(() => parseDuration("3d")).toThrow(/not a duration/);
    expect(() => parseDuration("")).toThrow();
  });

  it("takes the claim's lifetime, else the pool default, cut to the pool maximum", () => {
    expect(claimLifetimeMs(claim("2h"), pool({ maximum: "1h" }))).toBe(3_600_000);
    expect(claimLifetimeMs(claim(), pool({ default: "30m", maximum: "1h" }))).toBe(1_800_000);
    expect(claimLifetimeMs(claim(), pool({ maximum: "1h" }))).toBe(3_600_000);
    expect(claimLifetimeMs(claim("2h"), undefined)).toBe(7_200_000);
    expect(claimLifetimeMs(claim(), pool())).toBeUndefined();
  });

  it("hashes templates by content, not key order", () => {
    const a = templateHash({ platform: { simulated: { version: "1.36", provisionSeconds: 5 } } } as never);
    const b = templateHash({ platform: { simulated: { provisionSeconds: 5, version: "1.36" } } } as never);
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(templateHash({ platform: { simulated: { version: "1.35" } } } as never)).not.toBe(a);
  });
});
