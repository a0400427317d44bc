import { describe, expect, it } from "vitest";
import type { ClusterDeployment, FailoverClusterStatus } from "../../../src/api/index.js";
import { entryKey, resumeReadiness } from "../../../src/api/index.js";
import {
  achievedRtoSeconds,
  initialEntries,
  planFailover,
  type FailoverClusterView,
  type PlanInput,
  overlapMessage,
  standbyPrimaryOverlap,
} from "../../../src/failover/plan.js";

const t0 = new Date("2026-11-30T12:00:00.000Z");
const after = (ms: number) => new Date(t0.getTime() + ms);

function view(name: string, overrides: Partial<FailoverClusterView> = {}): FailoverClusterView {
  return {
    kind: "ClusterDeployment",
    name,
    deleting: false,
    desiredPowerState: "Hibernating",
    readiness: { state: "Waiting", message: "power state Hibernating" },
    ...overrides,
  };
}

const running = (name: string, overrides: Partial<FailoverClusterView> = {}) =>
  view(name, {
    desiredPowerState: "Running",
    heldBy: "fo",
    readiness: { state: "Ready", message: "running" },
    ...overrides,
  });

function input(
  clusters: FailoverClusterView[],
  entries: FailoverClusterStatus[] = initialEntries(clusters),
  overrides: Partial<PlanInput> = {},
): PlanInput {
  return {
    name: "fo",
    maxConcurrent: 2,
    resumeTimeoutMs: 60_000,
    cancelled: false,
    poolDeleted: false,
    entries,
    clusters: new Map(clusters.map((c) => [entryKey(c), c])),
    requested: new Map(),
    now: t0,
    ...overrides,
  };
}

describe("planFailover", () => {
  it("resumes at most maxConcurrent clusters, higher priority first, then by name", () => {
    const clusters = [view("c"), view("a"), view("b", { priority: 10 }), view("d", { priority: 5 })];
    const plan = planFailover(input(clusters));
    expect(plan.toResume.map((c) => c.name)).toEqual(["b", "d"]);
    expect(plan.entries.map((e) => [e.name, e.state])).toEqual([
      ["b", "Resuming"],
      ["d", "Resuming"],
      ["a", "Pending"],
      ["c", "Pending"],
    ]);
    expect(plan.counts).toMatchObject({ total: 4, resuming: 2, pending: 2 });
    expect(plan.phase).toBe("Running");
  });

  it("keeps a ClusterDeployment and a HostedCluster of one name apart: two entries, each resumed as its kind", () => {
    const clusters = [view("x"), view("x", { kind: "HostedCluster" })];
    const plan = planFailover(input(clusters));
    expect(plan.entries.map((e) => [e.kind, e.name, e.state])).toEqual([
      ["ClusterDeployment", "x", "Resuming"],
      ["HostedCluster", "x", "Resuming"],
    ]);
    expect(plan.toResume).toEqual([
      { kind: "ClusterDeployment", name: "x" },
      { kind: "HostedCluster", name: "x" },
    ]);
    // The HostedCluster Ready says nothing about the ClusterDeployment of the same name.
    const next = planFailover(
      input(
        [view("x", { desiredPowerState: "Running", heldBy: "fo" }), running("x", { kind: "HostedCluster" })],
        plan.entries,
      ),
    );
    expect(next.entries.map((e) => [e.kind, e.state])).toEqual([
      ["ClusterDeployment", "Resuming"],
      ["HostedCluster", "Ready"],
    ]);
  });

  it("reads an entry written before entries had a kind as a ClusterDeployment's", () => {
    const old = { name: "x", state: "Pending" } as FailoverClusterStatus;
    const plan = planFailover(input([view("x"), view("x", { kind: "HostedCluster" })], [old]));
    expect(plan.toResume).toEqual([{ kind: "ClusterDeployment", name: "x" }]);
  });

  it("gives a freed slot to the next cluster as soon as one is Ready, and records when", () => {
    const first = planFailover(input([view("a"), view("b"), view("c")]));
    const second = planFailover(
      input(
        [running("a"), view("b", { desiredPowerState: "Running", heldBy: "fo" }), view("c")],
        first.entries,
        {
          now: after(30_000),
        },
      ),
    );
    expect(second.toResume.map((c) => c.name)).toEqual(["c"]);
    expect(second.newlyReady.map((e) => e.name)).toEqual(["a"]);
    const a = second.entries.find((e) => e.name === "a")!;
    expect(a).toMatchObject({
      state: "Ready",
      resumeRequestedAt: t0.toISOString(),
      readyAt: after(30_000).toISOString(),
    });
  });

  it("counts a cluster already running as Ready without using a slot", () => {
    const plan = planFailover(input([running("up", { heldBy: undefined }), view("a"), view("b")]));
    expect(plan.entries.find((e) => e.name === "up")).toMatchObject({ state: "Ready", wasRunning: true });
    expect(plan.toResume.map((c) => c.name)).toEqual(["a", "b"]);
  });

  it("never exceeds maxConcurrent when the status of the last pass is not visible yet", () => {
    const clusters = [view("a"), view("b"), view("c")];
    const requested = new Map([
      ["ClusterDeployment/a", t0.toISOString()],
      ["ClusterDeployment/b", t0.toISOString()],
    ]);
    const plan = planFailover(input(clusters, initialEntries(clusters), { requested }));
    // a and b are asked again (the cache does not show them running yet: harmless), c waits for a slot.
    expect(plan.toResume.map((c) => c.name)).toEqual(["a", "b"]);
    expect(plan.entries.find((e) => e.name === "c")?.state).toBe("Pending");
    expect(plan.counts.resuming).toBe(2);
  });

  it("asks again a resuming cluster whose power state something turned back", () => {
    const clusters = [view("a", { heldBy: "fo" })];
    const entries: FailoverClusterStatus[] = [
      { kind: "ClusterDeployment", name: "a", state: "Resuming", resumeRequestedAt: t0.toISOString() },
    ];
    expect(planFailover(input(clusters, entries)).toResume.map((c) => c.name)).toEqual(["a"]);
  });

  it("gives up on a cluster not Ready within resumeTimeout and on a stalled one, and frees their slots", () => {
    const clusters = [
      view("slow", { desiredPowerState: "Running", heldBy: "fo" }),
      view("stuck", {
        desiredPowerState: "Running",
        heldBy: "fo",
        readiness: { state: "Stalled", reason: "OperationFailed", message: "simulated resume failure" },
      }),
      view("next"),
    ];
    const entries: FailoverClusterStatus[] = [
      { kind: "ClusterDeployment", name: "slow", state: "Resuming", resumeRequestedAt: t0.toISOString() },
      { kind: "ClusterDeployment", name: "stuck", state: "Resuming", resumeRequestedAt: t0.toISOString() },
      { kind: "ClusterDeployment", name: "next", state: "Pending" },
    ];
    const plan = planFailover(input(clusters, entries, { now: after(60_000) }));
    expect(plan.entries.map((e) => [e.name, e.state, e.reason])).toEqual([
      ["slow", "Failed", "ResumeTimeout"],
      ["stuck", "Failed", "ClusterStalled"],
      ["next", "Resuming", undefined],
    ]);
    expect(plan.newlyFailed.map((e) => e.name)).toEqual(["slow", "stuck"]);
  });

  it("on cancel resumes nothing more, leaves the pending hibernated and waits for those resuming", () => {
    const clusters = [view("a", { desiredPowerState: "Running", heldBy: "fo" }), view("b")];
    const entries: FailoverClusterStatus[] = [
      { kind: "ClusterDeployment", name: "a", state: "Resuming", resumeRequestedAt: t0.toISOString() },
      { kind: "ClusterDeployment", name: "b", state: "Pending" },
    ];
    const cancelling = planFailover(input(clusters, entries, { cancelled: true }));
    expect(cancelling.toResume.map((c) => c.name)).toEqual([]);
    expect(cancelling.entries.map((e) => e.state)).toEqual(["Resuming", "Cancelled"]);
    expect(cancelling.phase).toBe("Cancelling");
    const done = planFailover(input([running("a"), view("b")], cancelling.entries, { cancelled: true }));
    expect(done.phase).toBe("Cancelled");
    expect(done.counts).toMatchObject({ ready: 1, cancelled: 1 });
  });

  it("fails clusters deleted with their pool and ends PartiallyFailed when some came up", () => {
    const entries: FailoverClusterStatus[] = [
      { kind: "ClusterDeployment", name: "a", state: "Ready", readyAt: t0.toISOString() },
      { kind: "ClusterDeployment", name: "b", state: "Resuming", resumeRequestedAt: t0.toISOString() },
      { kind: "ClusterDeployment", name: "c", state: "Pending" },
    ];
    const plan = planFailover(
      input([running("a"), view("b", { deleting: true })], entries, { poolDeleted: true }),
    );
    expect(plan.entries.map((e) => [e.state, e.reason])).toEqual([
      ["Ready", undefined],
      ["Failed", "ClusterDeleted"],
      ["Failed", "PoolDeleted"],
    ]);
    expect(plan.phase).toBe("PartiallyFailed");
  });

  it("ends Succeeded when all are Ready; the RTO is the time to the last Ready", () => {
    const entries: FailoverClusterStatus[] = [
      { kind: "ClusterDeployment", name: "a", state: "Ready", readyAt: after(10_000).toISOString() },
      { kind: "ClusterDeployment", name: "b", state: "Resuming", resumeRequestedAt: t0.toISOString() },
    ];
    const plan = planFailover(input([running("a"), running("b")], entries, { now: after(20_500) }));
    expect(plan.phase).toBe("Succeeded");
    expect(achievedRtoSeconds(t0.toISOString(), plan.entries)).toBe(20.5);
  });
});

function cd(
  status: Record<string, unknown>,
  spec: Record<string, unknown> = {},
  generation = 2,
): ClusterDeployment {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name: "x", namespace: "ns", generation },
    spec: { clusterName: "x", platform: { local: {} }, powerState: "Running", ...spec },
    status,
  } as unknown as ClusterDeployment;
}

const cond = (type: string, status: string, observedGeneration = 2) => ({
  type,
  status,
  reason: "R",
  message: `${type} ${status}`,
  lastTransitionTime: "2026-11-30T12:00:00Z",
  observedGeneration,
});

describe("resumeReadiness", () => {
  it("is Ready when the stack runs the current generation and nothing else is reported", () => {
    expect(resumeReadiness(cd({ powerState: "Running", conditions: [cond("Ready", "True")] })).state).toBe(
      "Ready",
    );
  });

  it("waits while Ready is from the generation before the resume (still the hibernated Ready)", () => {
    const r = resumeReadiness(cd({ powerState: "Running", conditions: [cond("Ready", "True", 1)] }));
    expect(r).toMatchObject({ state: "Waiting", message: "Ready is from generation 1, not 2" });
  });

  it("requires Joined and Bootstrapped once they are reported, and Joined when registration is on", () => {
    const base = [cond("Ready", "True")];
    expect(
      resumeReadiness(cd({ powerState: "Running", conditions: [...base, cond("Bootstrapped", "False")] })),
    ).toMatchObject({ state: "Waiting", message: "Bootstrapped is False: Bootstrapped False" });
    expect(
      resumeReadiness(cd({ powerState: "Running", conditions: base }), { registrationRequired: true }),
    ).toMatchObject({ state: "Waiting", message: "Registered is not reported yet" });
    expect(
      resumeReadiness(
        cd({
          powerState: "Running",
          conditions: [
            ...base,
            cond("Registered", "True"),
            cond("Joined", "True"),
            cond("Bootstrapped", "True"),
          ],
        }),
        { registrationRequired: true },
      ).state,
    ).toBe("Ready");
  });

  it("waits while Bootstrapped is made of verdicts from before the resume", () => {
    const resumed = (evaluatedAt: string | undefined, policies = 1) =>
      cd({
        powerState: "Running",
        lastResumedAt: "2026-11-30T12:05:00.700Z",
        bootstrap: { policies, compliantPolicies: policies, ...(evaluatedAt ? { evaluatedAt } : {}) },
        conditions: [cond("Ready", "True"), cond("Bootstrapped", "True")],
      });
    expect(resumeReadiness(resumed("2026-11-30T11:00:00Z"))).toMatchObject({
      state: "Waiting",
      message: expect.stringContaining("from before the resume"),
    });
    expect(resumeReadiness(resumed(undefined)).state).toBe("Waiting");
    // Evaluation times have whole seconds: the resume's own second counts.
    expect(resumeReadiness(resumed("2026-11-30T12:05:00Z")).state).toBe("Ready");
    // No policy selects it: nothing to wait for.
    expect(resumeReadiness(resumed(undefined, 0)).state).toBe("Ready");
  });

  it("does not wait for Joined on a cluster whose spec turns registration off", () => {
    const off = cd(
      { powerState: "Running", conditions: [cond("Ready", "True")] },
      { registration: { enabled: false } },
    );
    expect(resumeReadiness(off, { registrationRequired: true }).state).toBe("Ready");
  });

  it("reports a stalled cluster with its reason", () => {
    const r = resumeReadiness(
      cd({ powerState: "Starting", conditions: [{ ...cond("Stalled", "True"), reason: "OperationFailed" }] }),
    );
    expect(r).toMatchObject({ state: "Stalled", reason: "OperationFailed" });
  });
});

describe("standby and primary sets that overlap", () => {
  it("names the clusters both sets hold, once each and sorted", () => {
    expect(standbyPrimaryOverlap(["dr-b", "dr-a", "shared"], ["shared", "prod-a", "dr-a"])).toEqual([
      "dr-a",
      "shared",
    ]);
  });

  it("the same pool or selector: every standby cluster is also primary", () => {
    const pool = ["p-1", "p-2", "p-3"];
    expect(standbyPrimaryOverlap(pool, pool)).toEqual(pool);
  });

  it("disjoint sets, or no primary: nothing overlaps", () => {
    expect(standbyPrimaryOverlap(["dr-a", "dr-b"], ["prod-a"])).toEqual([]);
    expect(standbyPrimaryOverlap(["dr-a"], [])).toEqual([]);
  });

  it("says which clusters and what to change, the first five of many", () => {
    const many = Array.from({ length: 8 }, (_, i) => `c-${i}`);
    const message = overlapMessage(many);
    expect(message).toContain("clusters c-0, c-1, c-2, c-3, c-4 and 3 more");
    expect(message).toContain("Nothing was resumed or hibernated");
    expect(overlapMessage(["shared"])).toMatch(/^spec.standby and spec.primary both name cluster shared:/);
  });
});
