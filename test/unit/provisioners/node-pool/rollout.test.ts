import { describe, expect, it } from "vitest";
import {
  planRollout,
  type RolloutInput,
  type RolloutNode,
} from "../../../../src/provisioners/node-pool/rollout.js";

const node = (name: string, version: string, extra: Partial<RolloutNode> = {}): RolloutNode => ({
  name,
  version,
  ready: true,
  podCount: 0,
  createdAt: new Date(Date.parse("2026-01-01T00:00:00Z") + Number(name.replace(/\D/g, "") || 0) * 1000),
  ...extra,
});

const input = (extra: Partial<RolloutInput>): RolloutInput => ({
  nodes: [],
  desired: 3,
  version: "1.36.4",
  upgradeType: "Replace",
  maxSurge: 1,
  maxUnavailable: 0,
  ...extra,
});

/** Runs passes until nothing changes, new nodes Ready at once, and returns the fewest Ready seen. */
function rollToEnd(start: RolloutInput): { fewestReady: number; passes: number; nodes: RolloutNode[] } {
  let nodes = [...start.nodes];
  let fewestReady = nodes.filter((n) => n.ready).length;
  let made = 100;
  for (let passes = 1; passes < 50; passes++) {
    const plan = planRollout({ ...start, nodes });
    nodes = nodes.filter((n) => !plan.remove.includes(n.name));
    fewestReady = Math.min(fewestReady, nodes.filter((n) => n.ready).length);
    for (let i = 0; i < plan.create; i++) nodes.push(node(`n${String(made++)}`, start.version));
    nodes = nodes.map((n) => (plan.relabel.includes(n.name) ? { ...n, version: start.version } : n));
    if (plan.create === 0 && plan.remove.length === 0 && plan.relabel.length === 0)
      return { fewestReady, passes, nodes };
  }
  throw new Error("the rollout never settled");
}

describe("planRollout", () => {
  it("scales: adds the missing nodes at the wanted version, removes the surplus empty and newest first", () => {
    expect(planRollout(input({ nodes: [node("n1", "1.36.4")] }))).toMatchObject({ create: 2, remove: [] });
    const shrink = planRollout(
      input({
        desired: 1,
        nodes: [node("n1", "1.36.4"), node("n2", "1.36.4", { podCount: 1 }), node("n3", "1.36.4")],
      }),
    );
    expect(shrink).toMatchObject({ create: 0, remove: ["n3", "n1"] });
  });

  it("removes the autoscaler's picks first", () => {
    const plan = planRollout(
      input({ desired: 1, nodes: [node("n1", "1.36.4"), node("n2", "1.36.4")], preferRemove: ["n1"] }),
    );
    expect(plan.remove).toEqual(["n1"]);
  });

  it("Replace with maxSurge 1, maxUnavailable 0: surges one node, then retires an old one, never below desired Ready", () => {
    const start = input({ nodes: [node("n1", "1.36.3"), node("n2", "1.36.3"), node("n3", "1.36.3")] });
    expect(planRollout(start)).toMatchObject({ create: 1, remove: [], outdated: 3 });
    const end = rollToEnd(start);
    expect(end.fewestReady).toBe(3);
    expect(end.nodes.map((n) => n.version)).toEqual(["1.36.4", "1.36.4", "1.36.4"]);
  });

  it("Replace with maxSurge 0, maxUnavailable 1: retires one old node at a time first", () => {
    const start = input({
      maxSurge: 0,
      maxUnavailable: 1,
      nodes: [node("n1", "1.36.3"), node("n2", "1.36.3"), node("n3", "1.36.3")],
    });
    expect(planRollout(start)).toMatchObject({ create: 0, remove: ["n3"] });
    const end = rollToEnd(start);
    expect(end.fewestReady).toBe(2);
    expect(end.nodes.every((n) => n.version === "1.36.4")).toBe(true);
  });

  it("Replace removes old nodes that are not Ready without spending the budget", () => {
    const plan = planRollout(
      input({ nodes: [node("n1", "1.36.3", { ready: false }), node("n2", "1.36.3"), node("n3", "1.36.3")] }),
    );
    expect(plan.remove).toEqual(["n1"]);
  });

  it("InPlace relabels one node per pass and never changes the count", () => {
    const start = input({
      upgradeType: "InPlace",
      nodes: [node("n1", "1.36.3"), node("n2", "1.36.3")],
      desired: 2,
    });
    expect(planRollout(start)).toMatchObject({ create: 0, remove: [], relabel: ["n1"], outdated: 2 });
    const end = rollToEnd(start);
    expect(end.passes).toBe(3);
    expect(end.fewestReady).toBe(2);
  });
});
