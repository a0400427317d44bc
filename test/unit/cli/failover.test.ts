import { describe, expect, it } from "vitest";
import type { ClusterFailover } from "../../../src/api/index.js";
import { failoverSpec, progressLine, runningRto } from "../../../src/cli/failover.js";
import { runCli, USAGE_ERROR } from "../../../src/cli/program.js";

const failover = (status: ClusterFailover["status"]): ClusterFailover =>
  ({ metadata: { name: "dr" }, spec: { standby: { poolName: "p" } }, status }) as ClusterFailover;

describe("slipway failover", () => {
  it("names the standby set with a pool or a label selector, and passes maxConcurrent and the primary pool", () => {
    expect(failoverSpec("eu", { namespace: "x", timeout: 1, maxConcurrent: 20, primaryPool: "us" })).toEqual({
      standby: { poolName: "eu" },
      primary: { poolName: "us" },
      maxConcurrent: 20,
    });
    expect(
      failoverSpec(undefined, { namespace: "x", timeout: 1, selector: "site=eu,tier in (a,b)" }),
    ).toEqual({
      standby: {
        selector: {
          matchExpressions: [
            { key: "site", operator: "In", values: ["eu"] },
            { key: "tier", operator: "In", values: ["a", "b"] },
          ],
        },
      },
    });
  });

  it("refuses a pool and a selector together, or neither, as a usage error", async () => {
    const out = { writeOut: () => undefined, writeErr: () => undefined };
    expect(await runCli(["failover"], out)).toBe(USAGE_ERROR);
    expect(await runCli(["failover", "eu", "-l", "site=eu"], out)).toBe(USAGE_ERROR);
    expect(await runCli(["failover", "eu", "--max-concurrent", "0"], out)).toBe(USAGE_ERROR);
  });

  it("shows the bar, the counts and the running RTO, then the achieved one", () => {
    const now = new Date("2026-11-30T12:00:30.000Z");
    const running = failover({
      phase: "Running",
      startedAt: "2026-11-30T12:00:00.000Z",
      total: 100,
      ready: 40,
      resuming: 20,
      pending: 40,
      failed: 0,
    });
    expect(runningRto(running, now)).toBe(30);
    expect(progressLine(running, now)).toBe(
      "[########------------] 40% Running  40/100 Ready  20 resuming  40 pending  0 failed  RTO 30.0 s",
    );
    const done = failover({
      ...running.status,
      phase: "Succeeded",
      ready: 100,
      resuming: 0,
      pending: 0,
      rtoSeconds: 52.65,
    });
    expect(progressLine(done, now)).toContain("Succeeded  100/100 Ready");
    expect(progressLine(done, now)).toContain("RTO 52.6 s");
  });

  it("says why a failover that cannot start is waiting", () => {
    const stalled = failover({
      conditions: [
        {
          type: "Stalled",
          status: "True",
          reason: "SetInUse",
          message: "ClusterFailover first is still running",
          lastTransitionTime: "2026-11-30T12:00:00Z",
        },
      ],
    });
    expect(progressLine(stalled, new Date())).toContain("SetInUse: ClusterFailover first is still running");
  });
});
