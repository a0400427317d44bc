import { describe, expect, it } from "vitest";
import {
  decideAutoscale,
  type AutoscaleInput,
  type NodeView,
  type PendingPod,
  type Resources,
} from "../../../../src/provisioners/node-pool/autoscale/index.js";

const GiB = 1024 ** 3;
const now = new Date("2026-01-01T12:00:00Z");
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const tenMinutes = 10 * 60_000;

/** A 4-cpu, 16 GiB, 110-pod node: the instance type the tests' pool uses. */
const allocatable: Resources = { cpuMilli: 4000, memoryBytes: 16 * GiB, pods: 110 };

function pod(name: string, cpuMilli: number, extra: Partial<PendingPod> = {}): PendingPod {
  return {
    name: `default/${name}`,
    requests: { cpuMilli, memoryBytes: GiB, pods: 1 },
    tolerations: [],
    nodeSelector: {},
    ...extra,
  };
}

const pods = (count: number, cpuMilli: number, extra: Partial<PendingPod> = {}) =>
  Array.from({ length: count }, (_, i) => pod(`p${String(i).padStart(2, "0")}`, cpuMilli, extra));

function node(name: string, extra: Partial<NodeView> = {}): NodeView {
  return {
    name,
    allocatable,
    labels: { pool: "workers" },
    taints: [],
    requested: { cpuMilli: 0, memoryBytes: 0, pods: 0 },
    podCount: 0,
    emptySince: minutesAgo(1),
    ...extra,
  };
}

const busy = (name: string, cpuMilli = 3000): NodeView =>
  node(name, {
    requested: { cpuMilli, memoryBytes: GiB, pods: 1 },
    podCount: 1,
    emptySince: undefined,
  });

function input(extra: Partial<AutoscaleInput> = {}): AutoscaleInput {
  return {
    min: 0,
    max: 5,
    scaleDownDelayMs: tenMinutes,
    now,
    template: { allocatable, labels: { pool: "workers" }, taints: [] },
    nodes: [],
    pendingPods: [],
    ...extra,
  };
}

describe("decideAutoscale: scale-up on the scheduler's Unschedulable pods", () => {
  it("grows by the nodes the pending pods need (10 pods of 1.5 cpu on 4-cpu nodes: 5 nodes)", () => {
    const decision = decideAutoscale(input({ pendingPods: pods(10, 1500) }));
    expect(decision).toMatchObject({ desiredReplicas: 5, reason: "ScaledUpGroup", removeNodes: [] });
    expect(decision.helpedPods).toHaveLength(10);
    expect(decision.message).toBe(
      "Scale-up: setting group size to 5 (from 0): 10 pending pod(s) need 5 nodes",
    );
  });

  it("packs first-fit decreasing: two 3-cpu and two 1-cpu pods need 2 nodes, not 3", () => {
    const decision = decideAutoscale(
      input({
        pendingPods: [pod("small-a", 1000), pod("big-a", 3000), pod("small-b", 1000), pod("big-b", 3000)],
      }),
    );
    expect(decision.desiredReplicas).toBe(2);
  });

  it("grows only up to max and says which pods the max left out", () => {
    const decision = decideAutoscale(input({ max: 3, nodes: [busy("n1")], pendingPods: pods(10, 1500) }));
    expect(decision.desiredReplicas).toBe(3);
    expect(decision.reason).toBe("ScaledUpGroup");
    expect(decision.helpedPods).toHaveLength(4);
    expect(decision.notTriggered.filter((n) => n.why === "max node group size reached")).toHaveLength(6);
    expect(decision.message).toContain("max node group size reached");
  });

  it("does not trigger scale-up at max", () => {
    const decision = decideAutoscale(
      input({ max: 1, nodes: [busy("n1", 4000)], pendingPods: pods(1, 1000) }),
    );
    expect(decision).toMatchObject({ desiredReplicas: 1, reason: "NotTriggerScaleUp", removeNodes: [] });
    expect(decision.message).toBe(
      "pod didn't trigger scale-up: 1 pod(s) (default/p00): max node group size reached",
    );
  });

  it("does not grow for a pod no node of the pool could ever hold", () => {
    const decision = decideAutoscale(input({ pendingPods: [pod("huge", 8000)] }));
    expect(decision).toMatchObject({ desiredReplicas: 0, reason: "NotTriggerScaleUp" });
    expect(decision.notTriggered).toEqual([{ pod: "default/huge", why: "Insufficient cpu" }]);
  });

  it("grows for the pods that fit and reports the ones that never will in the same message", () => {
    const decision = decideAutoscale(input({ pendingPods: [pod("ok", 1000), pod("huge", 8000)] }));
    expect(decision.desiredReplicas).toBe(1);
    expect(decision.message).toContain("default/huge): Insufficient cpu");
  });

  it("does not grow for a pod that does not tolerate the pool's taint, and does for one that does", () => {
    const taints = [{ key: "dedicated", value: "gpu", effect: "NoSchedule" as const }];
    const template = { allocatable, labels: {}, taints };
    const refused = decideAutoscale(input({ template, pendingPods: [pod("plain", 1000)] }));
    expect(refused.reason).toBe("NotTriggerScaleUp");
    expect(refused.notTriggered[0]!.why).toBe("node(s) had untolerated taint {dedicated: gpu}");

    const tolerating = pod("tolerant", 1000, {
      tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }],
    });
    expect(decideAutoscale(input({ template, pendingPods: [tolerating] })).desiredReplicas).toBe(1);
    const exists = pod("exists", 1000, { tolerations: [{ operator: "Exists" }] });
    expect(decideAutoscale(input({ template, pendingPods: [exists] })).desiredReplicas).toBe(1);
  });

  it("ignores PreferNoSchedule taints, as the scheduler does", () => {
    const template = {
      allocatable,
      labels: {},
      taints: [{ key: "soft", effect: "PreferNoSchedule" as const }],
    };
    expect(decideAutoscale(input({ template, pendingPods: [pod("p", 1000)] })).desiredReplicas).toBe(1);
  });

  it("grows for a nodeSelector on the pool's labels only", () => {
    const matching = pod("match", 1000, { nodeSelector: { pool: "workers" } });
    const other = pod("other", 1000, { nodeSelector: { pool: "gpu" } });
    const decision = decideAutoscale(input({ pendingPods: [matching, other] }));
    expect(decision.desiredReplicas).toBe(1);
    expect(decision.helpedPods).toEqual(["default/match"]);
    expect(decision.notTriggered).toEqual([
      { pod: "default/other", why: "node(s) didn't match Pod's node affinity/selector" },
    ]);
  });

  it("does not grow for pods that fit the room existing nodes still have", () => {
    const decision = decideAutoscale(input({ nodes: [busy("n1", 1000)], pendingPods: pods(2, 1500) }));
    expect(decision).toMatchObject({ desiredReplicas: 1, reason: "NoActivity" });
  });

  it("brings a pool below min up to min", () => {
    const decision = decideAutoscale(input({ min: 2, nodes: [busy("n1")] }));
    expect(decision).toMatchObject({ desiredReplicas: 2, reason: "ScaledUpGroup" });
    expect(decision.message).toContain("below min 2");
  });
});

describe("decideAutoscale: scale-down of empty nodes", () => {
  it("removes a node only once it has been empty for scaleDownDelay", () => {
    const early = decideAutoscale(input({ nodes: [busy("n1"), node("n2", { emptySince: minutesAgo(9) })] }));
    expect(early).toMatchObject({
      desiredReplicas: 2,
      removeNodes: [],
      reason: "ScaleDownCandidatesPresent",
    });
    expect(early.nextScaleDownAt).toEqual(new Date(now.getTime() + 60_000));

    const due = decideAutoscale(input({ nodes: [busy("n1"), node("n2", { emptySince: minutesAgo(10) })] }));
    expect(due).toMatchObject({ desiredReplicas: 1, removeNodes: ["n2"], reason: "ScaleDown" });
  });

  it("honours a shorter scaleDownDelay", () => {
    const decision = decideAutoscale(
      input({ scaleDownDelayMs: 30_000, nodes: [node("n1", { emptySince: minutesAgo(1) })] }),
    );
    expect(decision.removeNodes).toEqual(["n1"]);
  });

  it("never goes below min, removing the longest-empty nodes first", () => {
    const nodes = [
      node("a", { emptySince: minutesAgo(20) }),
      node("b", { emptySince: minutesAgo(60) }),
      node("c", { emptySince: minutesAgo(30) }),
    ];
    const decision = decideAutoscale(input({ min: 1, nodes }));
    expect(decision).toMatchObject({ desiredReplicas: 1, removeNodes: ["b", "c"], reason: "ScaleDown" });
    expect(decideAutoscale(input({ min: 3, nodes })).removeNodes).toEqual([]);
  });

  it("never removes a node with pods, however long ago it was last empty", () => {
    const decision = decideAutoscale(
      input({ nodes: [{ ...busy("n1"), emptySince: minutesAgo(60) }, busy("n2")] }),
    );
    expect(decision).toMatchObject({ desiredReplicas: 2, removeNodes: [], reason: "NoActivity" });
  });

  it("waits with scale-down while pending pods would fit the empty nodes", () => {
    const decision = decideAutoscale(
      input({ nodes: [node("n1", { emptySince: minutesAgo(60) })], pendingPods: pods(1, 1000) }),
    );
    expect(decision).toMatchObject({ desiredReplicas: 1, removeNodes: [] });
  });

  it("does not count nodes already being deleted", () => {
    const decision = decideAutoscale(input({ nodes: [busy("n1"), node("gone", { deleting: true })] }));
    expect(decision.desiredReplicas).toBe(1);
  });

  it("drops to a lowered max, empty nodes first", () => {
    const decision = decideAutoscale(input({ max: 1, nodes: [busy("a"), node("b"), busy("c")] }));
    expect(decision).toMatchObject({ desiredReplicas: 1, removeNodes: ["b", "a"], reason: "ScaleDown" });
  });
});
