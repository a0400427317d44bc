/**
 * spec.rollout's decision (src/bootstrap/policies/rollout.ts): how many clusters get a new generation of an
 * enforce policy at once, which go next, and when the rollout pauses.
 */
import { describe, expect, it } from "vitest";
import type { PolicyClusterStatus, PolicyRollout } from "../../../src/api/index.js";
import {
  decideRollout,
  failureOf,
  rolloutLimit,
  type RolloutCluster,
  type RolloutInput,
} from "../../../src/bootstrap/policies/rollout.js";
import type { Condition } from "../../../src/runtime/conditions.js";

const now = new Date("2026-06-01T12:00:00Z");
const at = (seconds: number) =>
  new Date(now.getTime() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
const G = 5;
/** The names of the clusters the decision lets go now (its queue holds entry keys: Kind/name). */
const queued = (d: { queue: ReadonlySet<string> }) =>
  [...d.queue].map((key) => key.replace(/^ClusterDeployment\//, ""));

const entry = (over: Partial<PolicyClusterStatus> = {}): PolicyClusterStatus => ({
  kind: "ClusterDeployment",
  name: "x",
  compliant: "Compliant",
  lastEvaluated: at(-60),
  generation: G,
  ...over,
});
/** A cluster that still has the previous generation's verdict and waits to get this one. */
const waiting = (name: string): RolloutCluster => ({
  name,
  entry: entry({ name, generation: G - 1 }),
  inFlight: false,
  waiting: true,
  running: true,
});
const inFlight = (name: string): RolloutCluster => ({ ...waiting(name), waiting: false, inFlight: true });
const compliant = (name: string): RolloutCluster => ({
  name,
  entry: entry({ name }),
  inFlight: false,
  waiting: false,
  running: true,
});
const nonCompliant = (name: string, message = "Namespace legacy: exists but must not"): RolloutCluster => ({
  ...compliant(name),
  entry: entry({ name, compliant: "NonCompliant", message }),
});
const condition = (
  type: string,
  status: Condition["status"],
  reason: string,
  seconds: number,
): Condition => ({
  type,
  status,
  reason,
  message: `${type} is ${status}`,
  lastTransitionTime: at(seconds),
});

/** maxConcurrent 1 and pauseOnFailure unless `rollout` says otherwise; null: no spec.rollout. */
function decide(
  clusters: RolloutCluster[],
  rollout: Partial<PolicyRollout> | null = {},
  over: Partial<RolloutInput> = {},
) {
  return decideRollout({
    spec: {
      remediationAction: "enforce",
      rollout: rollout ? { maxConcurrent: 1, pauseOnFailure: true, ...rollout } : undefined,
    },
    generation: G,
    clusters,
    now,
    ...over,
  });
}

describe("rolloutLimit", () => {
  it.each([
    [1, 10, 1],
    [3, 10, 3],
    ["10%", 100, 10],
    ["10%", 15, 1], // rounded down: 1.5
    ["10%", 5, 1], // at least 1
    ["100%", 7, 7],
    ["50%", 0, 1],
  ] as const)("maxConcurrent %s of %i clusters: %i at once", (maxConcurrent, selected, limit) => {
    expect(rolloutLimit(maxConcurrent, selected)).toBe(limit);
  });
});

describe("decideRollout", () => {
  const fleet = ["a", "b", "c", "d", "e"].map(waiting);

  it("without spec.rollout every waiting cluster may go at once (today's fan-out)", () => {
    const d = decide(fleet, null);
    expect(d.active).toBe(false);
    expect(queued(d).sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(d.status).toBeUndefined();
  });

  it("inform is never held back: it changes nothing", () => {
    const d = decideRollout({
      spec: { remediationAction: "inform", rollout: { maxConcurrent: 1, pauseOnFailure: true } },
      generation: G,
      clusters: fleet,
      now,
    });
    expect(d.active).toBe(false);
    expect(d.queue.size).toBe(5);
  });

  it("takes a ClusterDeployment and a HostedCluster of one name for two clusters", () => {
    const hosted: RolloutCluster = { ...waiting("a"), kind: "HostedCluster" };
    const d = decide([waiting("a"), hosted], { maxConcurrent: 2, pauseOnFailure: true });
    expect([...d.queue].sort()).toEqual(["ClusterDeployment/a", "HostedCluster/a"]);
    const one = decide([waiting("a"), hosted], { maxConcurrent: 1, pauseOnFailure: true });
    expect([...one.queue]).toEqual(["ClusterDeployment/a"]);
    expect(one.held).toBe(1);
  });

  it("maxConcurrent 1: the first cluster (by name) goes, the others wait", () => {
    const d = decide(fleet);
    expect(queued(d)).toEqual(["a"]);
    expect(d).toMatchObject({
      active: true,
      limit: 1,
      done: 0,
      inProgress: 1,
      held: 4,
      status: { generation: G },
    });
    expect(d.paused).toBeUndefined();
  });

  it("clusters never evaluated go first: nothing runs on them yet, and claims wait for them", () => {
    const fresh: RolloutCluster = { name: "z-new", inFlight: false, waiting: true, running: true };
    expect(queued(decide([...fleet, fresh]))).toEqual(["z-new"]);
  });

  it("the next goes only once the one getting it is Compliant", () => {
    expect(decide([inFlight("a"), ...fleet.slice(1)]).queue.size).toBe(0);
    expect(queued(decide([compliant("a"), ...fleet.slice(1)]))).toEqual(["b"]);
  });

  it("a percentage of the selected clusters, and clusters already Compliant do not count", () => {
    const ten = Array.from({ length: 10 }, (_, i) => waiting(`c${i}`));
    const d = decide([compliant("done-1"), inFlight("busy"), ...ten], { maxConcurrent: "25%" });
    // 25% of 12 = 3 at once; one is getting it: two more go.
    expect(d.limit).toBe(3);
    expect(queued(d)).toEqual(["c0", "c1"]);
    expect(d).toMatchObject({ done: 1, inProgress: 3, held: 8 });
  });

  it("the first cluster NonCompliant after it got the generation pauses the rollout, naming it and why", () => {
    const d = decide([compliant("a"), nonCompliant("b"), ...fleet.slice(2)], { maxConcurrent: 2 });
    expect(d.queue.size).toBe(0);
    expect(d.paused).toEqual({
      cluster: "b",
      message: "NonCompliant after it got generation 5: Namespace legacy: exists but must not",
      at: at(0),
    });
    expect(d.status).toEqual({
      generation: G,
      pausedCluster: "b",
      pausedAt: at(0),
      message: d.paused!.message,
    });
    expect(d.held).toBe(3);
  });

  it("an evaluation that failed (EvaluationFailed, NonCompliant) pauses it too", () => {
    const d = decide([nonCompliant("a", "EvaluationFailed: connect ECONNREFUSED"), ...fleet.slice(1)]);
    expect(d.paused?.message).toContain("EvaluationFailed");
  });

  it("the pause holds for this generation even once the cluster is Compliant again", () => {
    const previous = { generation: G, pausedCluster: "b", pausedAt: at(-300), message: "NonCompliant ..." };
    const d = decide([compliant("a"), compliant("b"), ...fleet.slice(2)], {}, { previous });
    expect(d.queue.size).toBe(0);
    expect(d.paused).toEqual({ cluster: "b", message: "NonCompliant ...", at: at(-300) });
  });

  it("a new generation (any spec change) ends the pause of the previous one", () => {
    const previous = { generation: G - 1, pausedCluster: "b", pausedAt: at(-300), message: "x" };
    const d = decide(fleet, {}, { previous });
    expect(d.paused).toBeUndefined();
    expect(queued(d)).toEqual(["a"]);
  });

  it("pauseOnFailure false: a failed cluster frees its place and the rollout goes on", () => {
    const d = decide([nonCompliant("a"), ...fleet.slice(1)], { pauseOnFailure: false });
    expect(d.paused).toBeUndefined();
    expect(queued(d)).toEqual(["b"]);
  });

  it("once every cluster has the generation, a later NonCompliant (drift) pauses nothing", () => {
    const d = decide([compliant("a"), nonCompliant("b")]);
    expect(d.paused).toBeUndefined();
    expect(d.held).toBe(0);
  });

  describe("a cluster that breaks after it got the generation", () => {
    const got = (conditions: Condition[]): RolloutCluster => ({ ...compliant("a"), conditions });

    it.each([
      [
        "Joined turned False",
        [condition("Joined", "False", "ManagedClusterLeaseUpdateStopped", -30)],
        "Joined turned False",
      ],
      [
        "Joined turned Unknown",
        [condition("Joined", "Unknown", "WaitingForAgent", -60)],
        "Joined turned Unknown",
      ],
      [
        "Ready turned False",
        [condition("Ready", "False", "DriftDetected", -10)],
        "Ready turned False (DriftDetected",
      ],
    ])("%s: pauses", (_case, conditions, says) => {
      const d = decide([got(conditions), ...fleet.slice(1)]);
      expect(d.paused?.cluster).toBe("a");
      expect(d.paused?.message).toContain(says);
      expect(d.paused?.message).toContain("after it got generation 5");
    });

    it.each([
      ["broken before it got it", [condition("Joined", "False", "ManagedClusterLeaseUpdateStopped", -61)]],
      ["hibernating", [condition("Joined", "Unknown", "Hibernating", -10)]],
      ["registration disabled", [condition("Joined", "False", "RegistrationDisabled", -10)]],
      ["Ready False for a policy's verdict", [condition("Ready", "False", "PoliciesNonCompliant", -10)]],
      [
        "Ready False while an operation runs",
        [condition("Ready", "False", "Applying", -10), condition("Reconciling", "True", "Applying", -10)],
      ],
    ])("%s: not a failure", (_case, conditions) => {
      expect(failureOf(got(conditions), G)).toBeUndefined();
    });

    it("a cluster that no longer runs cannot fail a rollout", () => {
      const c = { ...got([condition("Joined", "False", "X", -10)]), running: false };
      expect(failureOf(c, G)).toBeUndefined();
    });
  });
});
