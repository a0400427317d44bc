import { describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import { clusterRows, poolUsage } from "../../../src/cli/get.js";

const now = new Date("2026-05-02T00:00:00Z");

function cluster(name: string, usage: object, poolName?: string): ClusterDeployment {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name, namespace: "team", creationTimestamp: "2026-05-01T00:00:00Z" },
    spec: {
      clusterName: name,
      platform: { simulated: {} },
      ...(poolName ? { clusterPoolRef: { namespace: "team", poolName } } : {}),
    } as never,
    status: { powerState: "Hibernating", power: { usage } as never },
  };
}

describe("the cost view", () => {
  // Ran 10 h, then a schedule put it to sleep at 10:00 (counted until then); it sleeps still, 14 h later.
  const napping = {
    runningSeconds: 36_000,
    hibernatedSeconds: 0,
    savedSeconds: 0,
    countedUntil: "2026-05-01T10:00:00Z",
    countedState: "Hibernating",
    countedSource: "Schedule",
  };

  it("shows per cluster hours running and hibernated up to now", () => {
    const out = clusterRows([cluster("dev", napping)], false, now);
    expect(out.split("\n")[0]).toMatch(/RUNNING-H\s+HIBERNATED-H/);
    expect(out.split("\n")[1]).toMatch(/dev\s+simulated\s+Hibernating\s+\S+\s+-\s+-\s+10\.0\s+14\.0/);
  });

  it("sums a pool's clusters and what the schedule saved", () => {
    const clusters = [
      cluster("a", napping, "ci"),
      cluster("b", napping, "ci"),
      cluster("c", napping, "other"),
    ];
    expect(poolUsage({ metadata: { name: "ci", namespace: "team" } }, clusters, now)).toEqual({
      running: "20.0",
      hibernated: "28.0",
      saved: "28.0",
    });
  });
});
