import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Metrics } from "../../../src/runtime/metrics.js";

const cd = (conditions: [string, string, string][]) => ({
  status: {
    conditions: conditions.map(([type, status, lastTransitionTime]) => ({
      type,
      status,
      lastTransitionTime,
    })),
  },
});

describe("the fleet gauges the chart's PrometheusRule alerts on", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-12-07T10:00:00Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("count objects by kind, condition and status, with the age of the oldest, when scraped", async () => {
    const metrics = new Metrics({ collectDefaults: false });
    let clusters = [
      cd([
        ["Stalled", "True", "2026-12-07T09:40:00Z"],
        ["Ready", "False", "2026-12-07T09:40:00Z"],
      ]),
      cd([["Stalled", "True", "2026-12-07T09:55:00Z"]]),
      cd([["Ready", "True", "2026-12-07T08:00:00Z"]]),
    ];
    metrics.watchConditions(() => [
      { kind: "ClusterDeployment", objects: () => clusters },
      { kind: "ClusterClaim", objects: () => [cd([["Pending", "True", "2026-12-07T09:59:00Z"]])] },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('slipway_resources{kind="ClusterDeployment",condition="Stalled",status="True"} 2');
    expect(text).toContain('slipway_resources{kind="ClusterDeployment",condition="Ready",status="True"} 1');
    expect(text).toContain(
      'slipway_resource_condition_age_seconds{kind="ClusterDeployment",condition="Stalled",status="True"} 1200',
    );
    expect(text).toContain(
      'slipway_resource_condition_age_seconds{kind="ClusterClaim",condition="Pending",status="True"} 60',
    );

    // A condition no object has any more is gone at the next scrape, not left at its last value.
    clusters = [cd([["Ready", "True", "2026-12-07T08:00:00Z"]])];
    const later = await metrics.registry.metrics();
    expect(later).not.toContain('condition="Stalled"');
  });

  it("count each queue's jobs by state from the queues' own counts; a Redis away leaves no sample, not a failed scrape", async () => {
    const metrics = new Metrics({ collectDefaults: false });
    let redisUp = true;
    metrics.watchQueues(async () => {
      if (!redisUp) throw new Error("connect ECONNREFUSED");
      return { pulumi: { waiting: 140, active: 8, delayed: 2 }, spoke: { waiting: 0 } };
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('slipway_queue_jobs{queue="pulumi",state="waiting"} 140');
    expect(text).toContain('slipway_queue_jobs{queue="spoke",state="waiting"} 0');
    redisUp = false;
    expect(await metrics.registry.metrics()).not.toContain("slipway_queue_jobs{");
  });
});
