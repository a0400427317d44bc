import { describe, expect, it } from "vitest";
import {
  decide,
  replacementAllowance,
  templateFailure,
  type ClusterView,
  type PoolView,
} from "../../../../src/pools/algorithm/index.js";
import { at, cluster, now, pool } from "./builders.js";

const minute = 60_000;
const budget = { windowMs: 60 * minute, maxPerWindow: 3, backoffBaseMs: minute };

/** A cluster of the current template that stalled before it was ever provisioned. */
function neverProvisioned(name: string, reason = "CredentialsSecretMissing"): ClusterView {
  return cluster(name, "stalled", {
    provisioned: false,
    powerState: "Provisioning",
    stalledReason: reason,
    stalledMessage: `Secret team-a/creds named by the platform's credentialsRef does not exist: create it (${name})`,
  });
}

describe("a template that cannot provision", () => {
  it("is named by its clusters' own reason and message", () => {
    const failure = templateFailure(pool({ size: 2 }), [neverProvisioned("b"), neverProvisioned("a")]);
    expect(failure).toEqual({
      reason: "CredentialsSecretMissing",
      message: expect.stringContaining("does not exist: create it (a)"),
      clusters: ["a", "b"],
    });
  });

  it("stops the pool creating and deleting: the stalled clusters are kept, nothing is added", () => {
    const d = decide(pool({ size: 3 }), [neverProvisioned("a"), neverProvisioned("b")], []);
    expect(d.toCreate).toBe(0);
    expect(d.toDelete).toEqual([]);
    expect(d.templateFailure?.reason).toBe("CredentialsSecretMissing");
  });

  it("repeated passes never create: the pool stays at the clusters it has (no hot loop)", () => {
    const clusters = [neverProvisioned("a"), neverProvisioned("b")];
    for (let pass = 0; pass < 100; pass++) {
      const d = decide(pool({ size: 2, now: new Date(now.getTime() + pass * 1000) }), clusters, []);
      expect(d.toCreate + d.toDelete.length).toBe(0);
    }
  });

  it("is not a template failure when a sibling from the same template was provisioned", () => {
    expect(templateFailure(pool({ size: 2 }), [neverProvisioned("a"), cluster("b")])).toBeUndefined();
  });

  it("is not the current template's failure when the stalled clusters are from an older template", () => {
    const old = { ...neverProvisioned("a"), templateHash: "old" };
    expect(templateFailure(pool({ size: 1 }), [old])).toBeUndefined();
    const d = decide(pool({ size: 1 }), [old], []);
    expect(d.toCreate).toBe(1); // the fixed template gets a cluster at once
    expect(d.toDelete.map((x) => x.clusterName)).toEqual(["a"]);
  });

  it("resumes when the dependency is fixed: the stalled cluster provisions and the pool fills", () => {
    const recovered = cluster("a", "installing");
    const d = decide(pool({ size: 3 }), [recovered], []);
    expect(d.templateFailure).toBeUndefined();
    expect(d.toCreate).toBe(2);
  });
});

describe("replacing broken clusters has a budget per time window", () => {
  it("replaces the first at once, then waits 1, 2, 4 ... minutes, and at most maxPerWindow per window", () => {
    expect(replacementAllowance([], at(0), budget)).toEqual({ allowed: 1 });
    expect(replacementAllowance([at(0)], at(0.5), budget)).toEqual({ allowed: 0, nextAt: at(1) });
    expect(replacementAllowance([at(0)], at(1), budget)).toEqual({ allowed: 1 });
    expect(replacementAllowance([at(0), at(1)], at(2), budget)).toEqual({ allowed: 0, nextAt: at(3) });
    expect(replacementAllowance([at(0), at(1), at(3)], at(30), budget)).toEqual({
      allowed: 0,
      nextAt: at(60),
    });
    expect(replacementAllowance([at(0), at(1), at(3)], at(60), budget)).toEqual({ allowed: 1 });
  });

  it("a pool deletes one broken cluster a pass, and none while the budget waits", () => {
    const broken = [cluster("a", "stalled"), cluster("b", "stalled"), cluster("c", "stalled")];
    const p: Partial<PoolView> = { size: 3, replacementBudget: budget };
    const first = decide(pool(p), broken, []);
    expect(first.toDelete.map((d) => d.clusterName)).toEqual(["a"]);
    const soon = decide(pool({ ...p, recentReplacements: [now] }), broken, []);
    expect(soon.toDelete).toEqual([]);
    expect(soon.nextReplacementAt).toEqual(new Date(now.getTime() + minute));
  });
});
