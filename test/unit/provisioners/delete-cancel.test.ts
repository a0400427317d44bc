import { describe, expect, it } from "vitest";
import type { JobState, JobView } from "../../../src/queue/job.js";
import { reconcileDelete, reconcileNormal } from "../../../src/provisioners/cluster-deployment/phases.js";
import type { ClusterDeploymentScope } from "../../../src/provisioners/cluster-deployment/scope.js";
import { computeStatus } from "../../../src/provisioners/cluster-deployment/status.js";
import { getCondition } from "../../../src/runtime/conditions.js";
import { clusterDeploymentScope } from "../../builders/cluster-deployment-scope.js";

const deletedAt = new Date("2026-12-07T08:00:00Z");

/** A queue that holds one job in the given state and records what the controller asked of it. */
function fakeQueue(states: Record<string, JobState>) {
  const calls: string[] = [];
  const queue = {
    calls,
    async lookup(id: string): Promise<JobView> {
      const state = states[id] ?? "missing";
      return {
        id,
        state,
        attemptsMade: state === "failed" ? 1 : 0,
        startedAt: new Date("2026-12-07T07:00:00Z"),
        ...(state === "failed" ? { failedReason: "Cancelled: being deleted" } : {}),
      };
    },
    async requestCancel(id: string) {
      calls.push(`cancel ${id}`);
    },
    async remove(id: string) {
      calls.push(`remove ${id}`);
    },
    async enqueue(data: { operation: string }, suffix?: string) {
      calls.push(`enqueue ${data.operation}${suffix ? `.${suffix}` : ""}`);
      return "";
    },
  };
  return queue;
}

/** team-a/dev-a, deleted at deletedAt while the `up` u1.g1.up is in its stack record; the pass runs at `now`. */
function deletingScope(queue: ReturnType<typeof fakeQueue>, now: Date): ClusterDeploymentScope {
  const scope = clusterDeploymentScope({
    now,
    stack: "InProgress",
    status: { powerState: "Provisioning" },
  });
  scope.cd.metadata!.deletionTimestamp = deletedAt.toISOString();
  scope.deps = {
    queue: queue as never,
    config: { worker: { backoffMs: 5000, backoffCapMs: 300_000 } } as never,
    kube: { delete: async () => undefined } as never,
    event: async () => undefined,
  };
  return scope;
}

describe("deleting a ClusterDeployment while its up runs", () => {
  it("cancels the running up instead of waiting for it, and asks again on every pass", async () => {
    const queue = fakeQueue({ "u1.g1.up": "active" });
    const scope = deletingScope(queue, new Date(deletedAt.getTime() + 2_000));
    expect(await reconcileDelete(scope)).toBe(false);
    expect(await reconcileDelete(scope)).toBe(false);
    // No destroy while the up holds the stack: one operation at a time.
    expect(queue.calls).toEqual(["cancel u1.g1.up", "cancel u1.g1.up"]);
    expect(scope.requeueAfterMs).toBeLessThanOrEqual(2_000);
  });

  it("says it is cancelling, since when, and by when it ends; destroy follows", async () => {
    const scope = deletingScope(fakeQueue({ "u1.g1.up": "active" }), new Date(deletedAt.getTime() + 2_000));
    await reconcileDelete(scope);
    const conditions = computeStatus(scope).conditions as never;
    const ready = getCondition(conditions, "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "CancellingForDelete" });
    expect(ready?.message).toBe(
      "cancelling the running up for generation 1 (running since 2026-12-07T07:00:00.000Z, job u1.g1.up); " +
        "it ends by 2026-12-07T08:01:00.000Z; destroy follows",
    );
    expect(getCondition(conditions, "Reconciling")?.reason).toBe("CancellingForDelete");
  });

  it("says so when the cancelled up outlives its deadline", async () => {
    const scope = deletingScope(fakeQueue({ "u1.g1.up": "active" }), new Date(deletedAt.getTime() + 120_000));
    await reconcileDelete(scope);
    const ready = getCondition(computeStatus(scope).conditions as never, "Ready");
    expect(ready?.message).toContain("past its deadline 2026-12-07T08:01:00.000Z");
  });

  it("destroys once the cancelled up ended, and never queues the up again", async () => {
    const queue = fakeQueue({ "u1.g1.up": "failed", "u1.g1.destroy": "waiting" });
    const scope = deletingScope(queue, new Date(deletedAt.getTime() + 10_000));
    expect(await reconcileDelete(scope)).toBe(false);
    expect(queue.calls).toEqual(["remove u1.g1.up", "enqueue destroy"]);
    expect(scope.status.stack).toMatchObject({
      type: "destroy",
      jobId: "u1.g1.destroy",
      result: "InProgress",
    });
    // The next passes follow the destroy: nothing re-runs the up.
    await reconcileDelete(scope);
    expect(queue.calls.filter((c) => c.startsWith("enqueue up"))).toEqual([]);
    expect(getCondition(computeStatus(scope).conditions as never, "Ready")?.reason).toBe("Deprovisioning");
  });

  it("an up Redis lost is asked to stop all the same (a worker may still run it), and the destroy queued", async () => {
    const queue = fakeQueue({});
    await reconcileDelete(deletingScope(queue, new Date(deletedAt.getTime() + 1_000)));
    expect(queue.calls).toEqual(["cancel u1.g1.up", "enqueue destroy"]);
  });

  it("an up still waiting is withdrawn, not cancelled", async () => {
    const queue = fakeQueue({ "u1.g1.up": "waiting" });
    await reconcileDelete(deletingScope(queue, new Date(deletedAt.getTime() + 1_000)));
    expect(queue.calls).toEqual(["remove u1.g1.up", "enqueue destroy"]);
  });
});

describe("a spec change while a drift check (refresh) runs", () => {
  function refreshing(queue: ReturnType<typeof fakeQueue>, events: string[]): ClusterDeploymentScope {
    const scope = clusterDeploymentScope({
      now: deletedAt,
      stack: "InProgress",
      status: { powerState: "Running", provisionedAt: "2026-12-06T00:00:00Z" },
    });
    scope.cd.metadata!.generation = 2;
    scope.status.stack = { ...scope.status.stack!, type: "refresh", jobId: "u1.g1.refresh.r1" };
    scope.deps = {
      queue: queue as never,
      config: {
        stateDir: "/var/lib/slipway",
        toolsBinDir: "/opt/slipway/bin",
        controller: { resyncSeconds: 300 },
        worker: { backoffMs: 5000, backoffCapMs: 300_000 },
      } as never,
      kube: { getIfExists: async () => undefined } as never,
      event: async (_cd, type, reason) => void events.push(`${type} ${reason}`),
    };
    return scope;
  }

  it("cancels the running refresh, then runs the up for the new generation; no failure is reported", async () => {
    const events: string[] = [];
    const running = fakeQueue({ "u1.g1.refresh.r1": "active" });
    await reconcileNormal(refreshing(running, events));
    expect(running.calls).toEqual(["cancel u1.g1.refresh.r1"]);

    const cancelled = fakeQueue({ "u1.g1.refresh.r1": "failed" });
    const scope = refreshing(cancelled, events);
    await reconcileNormal(scope);
    expect(cancelled.calls).toEqual(["enqueue up"]);
    expect(scope.status.stack).toMatchObject({ type: "up", generation: 2, result: "InProgress" });
    expect(events.filter((e) => e.startsWith("Warning"))).toEqual([]);
  });
});
