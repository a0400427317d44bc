import { describe, expect, it } from "vitest";
import type { ClusterClaim, ClusterDeployment, ClusterPool } from "../../../src/api/index.js";
import { sortIntoBuckets } from "../../../src/pools/algorithm/index.js";
import { clusterView } from "../../../src/pools/cluster-pool/views.js";
import { claimLifetimeMs } from "../../../src/pools/cluster-claim/phases.js";
import { parseDuration } from "../../../src/api/duration.js";
import { templateHash } from "../../../src/pools/labels.js";

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

describe("clusterView: resume readiness", () => {
  const cd = (conditions: { type: string; status: string }[], annotations: Record<string, string> = {}) =>
    ({
      metadata: { name: "c", generation: 3, creationTimestamp: "2026-11-30T11:00:00Z", annotations },
      spec: { clusterName: "c", platform: { simulated: {} }, powerState: "Running" },
      status: {
        provisionedAt: "2026-11-30T11:00:00Z",
        powerState: "Running",
        stack: {
          type: "up",
          jobId: "j",
          generation: 3,
          result: "Succeeded",
          startedAt: "2026-11-30T11:50:00Z",
        },
        conditions: conditions.map((c) => ({
          ...c,
          reason: "R",
          message: "m",
          lastTransitionTime: "2026-11-30T11:50:00Z",
          observedGeneration: 3,
        })),
      },
    }) as unknown as ClusterDeployment;

  it("counts a running cluster whose bootstrap is not compliant yet as Starting, since its resume started", () => {
    const view = clusterView(
      cd([
        { type: "Ready", status: "True" },
        { type: "Bootstrapped", status: "False" },
      ]),
    );
    expect(view.powerState).toBe("Starting");
    expect(view.resumingSince).toEqual(new Date("2026-11-30T11:50:00Z"));
    expect(clusterView(cd([{ type: "Ready", status: "True" }])).powerState).toBe("Running");
  });

  it("a resume that is not back within the pool's resume timeout makes the cluster broken: the pool replaces it", () => {
    const view = clusterView(
      cd([
        { type: "Ready", status: "True" },
        { type: "Joined", status: "False" },
      ]),
    );
    const buckets = sortIntoBuckets(
      {
        size: 1,
        runningCount: 1,
        templateHash: "",
        now: new Date("2026-11-30T12:21:00Z"),
        resumeTimeoutMs: 30 * 60_000,
      },
      [view],
      [],
    );
    expect(buckets.broken).toEqual([{ cluster: view, reason: "ResumeTimeout" }]);
  });

  it("marks a cluster a ClusterFailover holds running", () => {
    expect(clusterView(cd([], { "slipway.dev/failover": "dr" })).heldRunning).toBe(true);
    expect(clusterView(cd([])).heldRunning).toBe(false);
  });
});
