import { describe, expect, it } from "vitest";
import { decide, type ClaimView, type ClusterView } from "../../../../src/pools/algorithm/index.js";
import { at, claim, cluster, pool } from "./builders.js";

function pairs(clusters: ClusterView[], claims: ClaimView[], size = clusters.length): string[] {
  return decide(pool({ size }), clusters, claims).assignments.map((a) => `${a.claimName}->${a.clusterName}`);
}

describe("assignClaims: FIFO", () => {
  it.each<{ case: string; clusters: ClusterView[]; claims: ClaimView[]; expected: string[] }>([
    {
      case: "the oldest claim gets the oldest running cluster",
      clusters: [
        cluster("young", "ready", { createdAt: at(9) }),
        cluster("old", "ready", { createdAt: at(1) }),
      ],
      claims: [claim("late", { createdAt: at(20) }), claim("early", { createdAt: at(10) })],
      expected: ["early->old", "late->young"],
    },
    {
      case: "claims created at the same instant go in name order",
      clusters: [cluster("c1", "ready", { createdAt: at(1) }), cluster("c2", "ready", { createdAt: at(2) })],
      claims: [claim("b"), claim("a")],
      expected: ["a->c1", "b->c2"],
    },
    {
      case: "clusters created at the same instant go in name order",
      clusters: [cluster("c-b"), cluster("c-a")],
      claims: [claim("k")],
      expected: ["k->c-a"],
    },
    {
      case: "a running cluster is preferred to an older hibernating one",
      clusters: [
        cluster("hib", "hibernating", { createdAt: at(0) }),
        cluster("run", "ready", { createdAt: at(5) }),
      ],
      claims: [claim("k")],
      expected: ["k->run"],
    },
    {
      case: "then starting, then hibernating, then stopping",
      clusters: [
        cluster("stopping", "stopping", { createdAt: at(0) }),
        cluster("hib", "hibernating", { createdAt: at(1) }),
        cluster("starting", "starting", { createdAt: at(2) }),
      ],
      claims: [
        claim("k1", { createdAt: at(1) }),
        claim("k2", { createdAt: at(2) }),
        claim("k3", { createdAt: at(3) }),
      ],
      expected: ["k1->starting", "k2->hib", "k3->stopping"],
    },
    {
      case: "a cluster running but awaiting bootstrap ranks with the starting ones",
      clusters: [
        cluster("hib", "hibernating", { createdAt: at(0) }),
        cluster("boot", "bootstrapping", { createdAt: at(5) }),
      ],
      claims: [claim("k")],
      expected: ["k->boot"],
    },
    {
      case: "at the same readiness a current cluster is preferred to an older stale one",
      clusters: [
        cluster("stale", "ready", { templateHash: "old", createdAt: at(0) }),
        cluster("current", "ready", { createdAt: at(5) }),
      ],
      claims: [claim("k")],
      expected: ["k->current"],
    },
    {
      case: "a stale running cluster is still claimable, ahead of a current hibernating one",
      clusters: [
        cluster("current-hib", "hibernating", { createdAt: at(0) }),
        cluster("stale-run", "ready", { templateHash: "old", createdAt: at(5) }),
      ],
      claims: [claim("k")],
      expected: ["k->stale-run"],
    },
    {
      case: "installing, broken and deleting clusters are never assigned",
      clusters: [cluster("inst", "installing"), cluster("broken", "stalled"), cluster("del", "deleting")],
      claims: [claim("k")],
      expected: [],
    },
    {
      case: "a claim whose status names a free cluster is bound back to that cluster ahead of FIFO",
      clusters: [cluster("c1", "ready", { createdAt: at(0) }), cluster("c2", "ready", { createdAt: at(1) })],
      claims: [
        claim("first", { createdAt: at(0) }),
        claim("told", { createdAt: at(5), assignedCluster: "c1" }),
      ],
      expected: ["told->c1", "first->c2"],
    },
    {
      case: "an expired or deleted claim gets no cluster",
      clusters: [cluster("c1")],
      claims: [claim("expired", { expiresAt: at(1) }), claim("deleted", { deleting: true })],
      expected: [],
    },
    {
      case: "a claim whose cluster was lost is not silently given another",
      clusters: [cluster("c1")],
      claims: [claim("lost", { assignedCluster: "gone" })],
      expected: [],
    },
  ])("$case", ({ clusters, claims, expected }) => {
    expect(pairs(clusters, claims)).toEqual(expected);
  });

  it("leaves claims beyond the free clusters pending, oldest first", () => {
    const decision = decide(
      pool({ size: 1 }),
      [cluster("c1")],
      [
        claim("k3", { createdAt: at(3) }),
        claim("k1", { createdAt: at(1) }),
        claim("k2", { createdAt: at(2) }),
      ],
    );
    expect(decision.assignments.map((a) => a.claimName)).toEqual(["k1"]);
    expect(decision.pendingClaims).toEqual(["k2", "k3"]);
  });

  it("tells the claim when its cluster is ready at once", () => {
    const [assignment] = decide(pool(), [cluster("c1")], [claim("k")]).assignments;
    expect(assignment).toMatchObject({
      claimName: "k",
      claimNamespace: "team-a",
      clusterName: "c1",
      clusterReady: true,
      resuming: false,
      message: "Assigned running cluster c1",
    });
  });
});

describe("a pool whose clusters all hibernate", () => {
  it("binds the claim to the oldest hibernating cluster, resumes it and says so", () => {
    const decision = decide(
      pool({ size: 2, runningCount: 0 }),
      [
        cluster("h2", "hibernating", { createdAt: at(2) }),
        cluster("h1", "hibernating", { createdAt: at(1) }),
      ],
      [claim("k")],
    );
    expect(decision.assignments).toEqual([
      {
        claimName: "k",
        claimNamespace: "team-a",
        clusterName: "h1",
        clusterPowerState: "Hibernating",
        clusterReady: false,
        resuming: true,
        message: "No running cluster was free; assigned hibernating cluster h1 and resuming it",
      },
    ]);
    expect(decision.toResume).toEqual(["h1"]);
    expect(decision.toHibernate).toEqual([]);
    expect(decision.pendingClaims).toEqual([]);
    // The pool replaces the claimed cluster to keep its size.
    expect(decision.toCreate).toBe(1);
    expect(decision.counts).toMatchObject({ claimed: 1, standby: 1, ready: 0 });
  });

  it("does not resume again a cluster already asked to run", () => {
    const decision = decide(
      pool({ size: 1 }),
      [cluster("c1", "hibernating", { desiredPowerState: "Running" })],
      [claim("k")],
    );
    expect(decision.assignments[0]).toMatchObject({ clusterName: "c1", resuming: false });
    expect(decision.assignments[0]?.message).toBe("Assigned cluster c1; it is already resuming");
    expect(decision.toResume).toEqual([]);
  });
});
