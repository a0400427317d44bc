import { describe, expect, it } from "vitest";
import { decide } from "../../../../src/pools/algorithm/index.js";
import { at, claim, claimedCluster, cluster, now, pool } from "./builders.js";

describe("decide", () => {
  it("deletes the cluster of an expired claim and asks for the claim to be deleted", () => {
    const decision = decide(
      pool({ size: 1 }),
      [cluster("spare"), claimedCluster("used", "k1")],
      [claim("k1", { assignedCluster: "used", expiresAt: new Date(now.getTime() - 1) })],
    );
    expect(decision.toDelete).toEqual([
      { clusterName: "used", reason: "ClaimExpired", message: "Claim k1 expired" },
    ]);
    expect(decision.expiredClaims).toEqual(["k1"]);
    expect(decision.toCreate).toBe(0);
  });

  it("keeps a claim's cluster until the claim expires", () => {
    const decision = decide(
      pool({ size: 0 }),
      [claimedCluster("used", "k1")],
      [claim("k1", { assignedCluster: "used", expiresAt: new Date(now.getTime() + 1) })],
    );
    expect(decision.toDelete).toEqual([]);
    expect(decision.expiredClaims).toEqual([]);
    expect(decision.counts.claimed).toBe(1);
  });

  it("counts the pool as it stands after this pass's assignments", () => {
    const decision = decide(
      pool({ size: 6, runningCount: 2 }),
      [
        cluster("r1", "ready", { createdAt: at(1) }),
        cluster("r2", "ready", { createdAt: at(2), templateHash: "old" }),
        cluster("h1", "hibernating"),
        cluster("i1", "installing"),
        cluster("d1", "deleting"),
        cluster("b1", "stalled"),
        claimedCluster("c1", "k0"),
        claimedCluster("x1", "gone"),
      ],
      [claim("k0", { assignedCluster: "c1" }), claim("k1")],
    );
    expect(decision.assignments.map((a) => a.clusterName)).toEqual(["r1"]);
    expect(decision.counts).toEqual({
      size: 3,
      ready: 1,
      standby: 1,
      installing: 1,
      claimed: 2,
      deleting: 1,
      broken: 1,
      stale: 1,
      released: 1,
    });
  });

  it("gives the same decision whatever order clusters and claims arrive in", () => {
    const clusters = [
      cluster("a", "ready", { createdAt: at(1) }),
      cluster("b", "ready", { createdAt: at(1) }),
      cluster("c", "hibernating", { createdAt: at(0) }),
      cluster("d", "installing", { createdAt: at(2), templateHash: "old" }),
      cluster("e", "stalled"),
      claimedCluster("f", "gone"),
      claimedCluster("g", "k9"),
    ];
    const claims = [
      claim("k1", { createdAt: at(3) }),
      claim("k2", { createdAt: at(3) }),
      claim("k3", { createdAt: at(1) }),
      claim("k9", { assignedCluster: "g" }),
    ];
    const p = pool({ size: 3, runningCount: 1, maxConcurrent: 3, maxSize: 9 });
    const expected = decide(p, clusters, claims);
    expect(expected.assignments.map((a) => `${a.claimName}->${a.clusterName}`)).toEqual([
      "k3->a",
      "k1->b",
      "k2->c",
    ]);
    expect(decide(p, [...clusters].reverse(), [...claims].reverse())).toEqual(expected);
    expect(decide(p, [clusters[3]!, ...clusters.slice(4), ...clusters.slice(0, 3)], claims)).toEqual(
      expected,
    );
  });

  it("does nothing on a steady pool", () => {
    const decision = decide(
      pool({ size: 2, runningCount: 1, maxConcurrent: 5, maxSize: 4 }),
      [cluster("run", "ready", { createdAt: at(0) }), cluster("hib", "hibernating", { createdAt: at(1) })],
      [],
    );
    expect(decision).toMatchObject({
      assignments: [],
      pendingClaims: [],
      toCreate: 0,
      toCreateRunning: 0,
      toDelete: [],
      toResume: [],
      toHibernate: [],
      budgetUsed: 0,
      budget: { limit: 5, inFlight: 0, available: 5, used: 0 },
      conditions: { capacityAvailable: true, allClustersCurrent: true },
    });
  });

  it("reports an unlimited budget as null", () => {
    expect(decide(pool({ size: 1 }), [], []).budget).toEqual({
      limit: null,
      inFlight: 0,
      available: null,
      used: 1,
    });
  });
});
