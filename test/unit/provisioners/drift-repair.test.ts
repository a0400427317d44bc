import { describe, expect, it } from "vitest";
import type { JobView } from "../../../src/queue/job.js";
import type { StackJobResult } from "../../../src/queue/stack-job.js";
import { reconcileNormal } from "../../../src/provisioners/cluster-deployment/phases.js";
import type { ClusterDeploymentScope } from "../../../src/provisioners/cluster-deployment/scope.js";
import { clusterDeploymentScope } from "../../builders/cluster-deployment-scope.js";

const now = new Date("2026-12-07T08:00:00Z");

/**
 * team-a/dev-a (Running) whose drift check (refresh) u1.g1.refresh.r1 has just completed with `result`; the queue
 * records what the controller asks of it, the events what it says.
 */
function afterRefresh(result: Partial<StackJobResult>) {
  const calls: string[] = [];
  const events: string[] = [];
  const scope: ClusterDeploymentScope = clusterDeploymentScope({
    now,
    stack: "InProgress",
    status: { powerState: "Running", provisionedAt: "2026-12-06T00:00:00Z" },
  });
  scope.status.stack = { ...scope.status.stack!, type: "refresh", jobId: "u1.g1.refresh.r1" };
  const completed: StackJobResult = {
    operation: "refresh",
    generation: 1,
    powerState: "Running",
    resourceChanges: {},
    durationMs: 4_000,
    finishedAt: now.toISOString(),
    ...result,
  };
  scope.deps = {
    queue: {
      // Only the refresh is done; the repair is not in Redis yet.
      lookup: async (id: string): Promise<JobView> =>
        id === "u1.g1.refresh.r1"
          ? { id, state: "completed", attemptsMade: 1, result: completed }
          : { id, state: "missing", attemptsMade: 0 },
      enqueue: async (data: { operation: string }, suffix?: string) => {
        calls.push(`enqueue ${data.operation}${suffix ? `.${suffix}` : ""}`);
        return "";
      },
    } as never,
    config: {
      stateDir: "/var/lib/slipway",
      toolsBinDir: "/opt/slipway/bin",
      controller: { resyncSeconds: 300 },
      worker: { backoffMs: 5000, backoffCapMs: 300_000 },
    } as never,
    kube: { getIfExists: async () => undefined } as never,
    event: async (_cd, type, reason, message) => void events.push(`${type} ${reason}: ${message}`),
  };
  return { scope, calls, events };
}

// A drift check that finds the cluster running as asked but not as the spec has it (a cloud node pool resized
// outside Slipway: the stack output `drift`) gets the same repair as a power-state drift: one `up`, said so.
describe("drift beyond the power state", () => {
  it("a refresh that reports drift queues one repairing up and says what drifted", async () => {
    const drift = "node pool workers has 1 node, the spec asks for 3";
    const { scope, calls, events } = afterRefresh({ drift });
    await reconcileNormal(scope);
    expect(calls).toEqual([`enqueue up.repair${now.getTime()}`]);
    expect(events).toContain(`Warning DriftDetected: ${drift}`);
    expect(scope.status.powerState).toBe("Running");
    expect(scope.status.stack).toMatchObject({ type: "up", result: "InProgress" });
  });

  it("a refresh that found resources deleted outside Slipway queues one repairing up", async () => {
    const { scope, calls, events } = afterRefresh({ resourceChanges: { same: 30, delete: 1 } });
    await reconcileNormal(scope);
    expect(calls).toEqual([`enqueue up.repair${now.getTime()}`]);
    expect(events).toContain("Warning DriftDetected: 1 resource was deleted outside Slipway");
  });

  it("a refresh that reports none queues nothing and waits for the next check", async () => {
    const { scope, calls, events } = afterRefresh({ resourceChanges: { same: 31 } });
    await reconcileNormal(scope);
    expect(calls).toEqual([]);
    expect(events.filter((e) => e.includes("DriftDetected"))).toEqual([]);
    expect(scope.requeueAfterMs).toBeGreaterThan(0);
  });
});
