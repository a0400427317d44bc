import { describe, expect, it } from "vitest";
import {
  decide,
  type ClaimView,
  type ClusterView,
  type PoolView,
} from "../../../../src/pools/algorithm/index.js";
import { at, claim, claimedCluster, cluster, now, pool } from "./builders.js";

function plan(overrides: Partial<PoolView>, clusters: ClusterView[], claims: ClaimView[] = []) {
  const decision = decide(pool(overrides), clusters, claims);
  return {
    toCreate: decision.toCreate,
    toDelete: decision.toDelete.map((d) => `${d.reason}:${d.clusterName}`),
    decision,
  };
}

describe("budget: order of spending when maxConcurrent is short", () => {
  it.each<{
    case: string;
    pool: Partial<PoolView>;
    clusters: ClusterView[];
    claims?: ClaimView[];
    toCreate: number;
    toDelete: string[];
  }>([
    {
      case: "maxConcurrent 1 with a deleted claim and a missing cluster deletes the claim's cluster first",
      pool: { size: 1, maxConcurrent: 1 },
      clusters: [claimedCluster("used", "k1")],
      claims: [claim("k1", { deleting: true, assignedCluster: "used" })],
      toCreate: 0,
      toDelete: ["ClaimDeleted:used"],
    },
    {
      case: "maxConcurrent 2 then also adds the missing cluster",
      pool: { size: 1, maxConcurrent: 2 },
      clusters: [claimedCluster("used", "k1")],
      claims: [claim("k1", { deleting: true, assignedCluster: "used" })],
      toCreate: 1,
      toDelete: ["ClaimDeleted:used"],
    },
    {
      case: "adding comes before deleting a broken cluster",
      pool: { size: 2, maxConcurrent: 1 },
      clusters: [cluster("ok"), cluster("broken", "stalled")],
      toCreate: 1,
      toDelete: [],
    },
    {
      case: "the broken cluster goes once there is budget left after adding",
      pool: { size: 2, maxConcurrent: 2 },
      clusters: [cluster("ok"), cluster("broken", "stalled")],
      toCreate: 1,
      toDelete: ["Stalled:broken"],
    },
    {
      case: "clusters of deleted, expired and vanished claims go oldest first",
      pool: { size: 0, maxConcurrent: 2 },
      clusters: [
        claimedCluster("c3", "deleted", { createdAt: at(3) }),
        claimedCluster("c1", "expired", { createdAt: at(1) }),
        claimedCluster("c2", "vanished", { createdAt: at(2) }),
      ],
      claims: [claim("deleted", { deleting: true }), claim("expired", { expiresAt: now })],
      toCreate: 0,
      toDelete: ["ClaimExpired:c1", "ClaimNotFound:c2"],
    },
    {
      case: "provisions already in flight use up the budget",
      pool: { size: 4, maxConcurrent: 3 },
      clusters: [cluster("i1", "installing"), cluster("i2", "installing")],
      toCreate: 1,
      toDelete: [],
    },
    {
      case: "deprovisions already in flight use up the budget",
      pool: { size: 2, maxConcurrent: 2 },
      clusters: [cluster("d1", "deleting"), cluster("d2", "deleting")],
      toCreate: 0,
      toDelete: [],
    },
    {
      case: "more in flight than maxConcurrent (it was lowered) starts nothing",
      pool: { size: 5, maxConcurrent: 1 },
      clusters: [cluster("i1", "installing"), cluster("i2", "installing"), cluster("broken", "stalled")],
      toCreate: 0,
      toDelete: [],
    },
    {
      case: "resumes and hibernations do not use the budget",
      pool: { size: 2, maxConcurrent: 1, runningCount: 2 },
      clusters: [cluster("h1", "hibernating"), cluster("h2", "hibernating", { createdAt: at(1) })],
      toCreate: 0,
      toDelete: [],
    },
    {
      case: "without maxConcurrent everything due happens at once",
      pool: { size: 3 },
      clusters: [cluster("broken", "stalled"), claimedCluster("used", "gone")],
      toCreate: 3,
      toDelete: ["ClaimNotFound:used", "Stalled:broken"],
    },
  ])("$case", ({ pool: overrides, clusters, claims, toCreate, toDelete }) => {
    const result = plan(overrides, clusters, claims);
    expect(result.toCreate).toBe(toCreate);
    expect(result.toDelete).toEqual(toDelete);
  });

  it("never starts more than maxConcurrent minus what is in flight", () => {
    const states = ["ready", "hibernating", "installing", "deleting", "stalled"] as const;
    for (let maxConcurrent = 0; maxConcurrent <= 4; maxConcurrent++) {
      for (let size = 0; size <= 6; size++) {
        for (let variant = 0; variant < states.length; variant++) {
          const clusters = [
            ...states.map((state, i) =>
              cluster(`${state}-${i}`, state, { createdAt: at(i), templateHash: i % 2 ? "old" : "current" }),
            ),
            ...Array.from({ length: variant }, (_, i) => claimedCluster(`used-${i}`, `gone-${i}`)),
          ];
          const { decision } = plan({ size, maxConcurrent, maxSize: 8 }, clusters, [claim("pending")]);
          const inFlight = clusters.filter((c) => c.deleting || (!c.provisioned && !c.stalled)).length;
          expect(decision.budgetUsed).toBe(decision.toCreate + decision.toDelete.length);
          expect(decision.budgetUsed).toBeLessThanOrEqual(Math.max(0, maxConcurrent - inFlight));
          expect(decision.budget).toMatchObject({ limit: maxConcurrent, inFlight });
        }
      }
    }
  });
});

describe("budget: maxSize", () => {
  it.each<{
    case: string;
    pool: Partial<PoolView>;
    clusters: ClusterView[];
    claims?: ClaimView[];
    toCreate: number;
  }>([
    {
      case: "claimed clusters count towards maxSize",
      pool: { size: 5, maxSize: 4 },
      clusters: [claimedCluster("c1", "k1"), claimedCluster("c2", "k2")],
      claims: [claim("k1", { assignedCluster: "c1" }), claim("k2", { assignedCluster: "c2" })],
      toCreate: 2,
    },
    {
      case: "clusters still being deleted count towards maxSize until they are gone",
      pool: { size: 3, maxSize: 3 },
      clusters: [cluster("d1", "deleting"), cluster("r1")],
      toCreate: 1,
    },
    {
      case: "a pending claim on a full pool waits rather than exceed maxSize",
      pool: { size: 1, maxSize: 2 },
      clusters: [claimedCluster("c1", "k1"), cluster("i1", "installing")],
      claims: [claim("k1", { assignedCluster: "c1" }), claim("k2")],
      toCreate: 0,
    },
    {
      case: "a maxSize below what exists never goes negative",
      pool: { size: 3, maxSize: 1 },
      clusters: [claimedCluster("c1", "k1"), claimedCluster("c2", "k2")],
      claims: [claim("k1", { assignedCluster: "c1" }), claim("k2", { assignedCluster: "c2" })],
      toCreate: 0,
    },
  ])("$case", ({ pool: overrides, clusters, claims, toCreate }) => {
    expect(plan(overrides, clusters, claims).toCreate).toBe(toCreate);
  });

  it("reports capacity as unavailable once the pool holds maxSize clusters", () => {
    const full = plan({ size: 2, maxSize: 2 }, [cluster("r1")]).decision;
    expect(full.toCreate).toBe(1);
    expect(full.conditions.capacityAvailable).toBe(false);
    const roomy = plan({ size: 2, maxSize: 3 }, [cluster("r1")]).decision;
    expect(roomy.conditions.capacityAvailable).toBe(true);
    expect(plan({ size: 2 }, [cluster("r1")]).decision.conditions.capacityAvailable).toBe(true);
  });
});

describe("budget: size", () => {
  it("adds one cluster per pending claim on top of size (scale from zero)", () => {
    const { toCreate, decision } = plan({ size: 0 }, [], [claim("k1"), claim("k2")]);
    expect(toCreate).toBe(2);
    expect(decision.toCreateRunning).toBe(2);
    expect(decision.pendingClaims).toEqual(["k1", "k2"]);
  });

  it("counts installing clusters as serving pending claims, so it does not add twice", () => {
    const { toCreate, toDelete } = plan({ size: 0 }, [cluster("i1", "installing")], [claim("k1")]);
    expect(toCreate).toBe(0);
    expect(toDelete).toEqual([]);
  });

  it("replaces clusters handed to claims in the same pass", () => {
    expect(plan({ size: 2 }, [cluster("r1"), cluster("r2")], [claim("k1")]).toCreate).toBe(1);
  });

  it("does not count broken clusters towards size", () => {
    expect(plan({ size: 1, maxConcurrent: 1 }, [cluster("b", "stalled")]).toCreate).toBe(1);
  });
});

describe("budget: excess", () => {
  it("deletes stale first, then installing, then hibernating, keeping running and the oldest", () => {
    const clusters = [
      cluster("run-old", "ready", { createdAt: at(0) }),
      cluster("run-new", "ready", { createdAt: at(9) }),
      cluster("hib-old", "hibernating", { createdAt: at(1) }),
      cluster("hib-new", "hibernating", { createdAt: at(8) }),
      cluster("inst-old", "installing", { createdAt: at(2) }),
      cluster("inst-new", "installing", { createdAt: at(7) }),
      cluster("stale-run", "ready", { createdAt: at(3), templateHash: "old" }),
    ];
    expect(plan({ size: 1 }, clusters).toDelete).toEqual([
      "Excess:stale-run",
      "Excess:inst-new",
      "Excess:inst-old",
      "Excess:hib-new",
      "Excess:hib-old",
      "Excess:run-new",
    ]);
  });

  it("deletes only what the budget allows, most disposable first", () => {
    const clusters = [
      cluster("run", "ready", { createdAt: at(0) }),
      cluster("hib", "hibernating", { createdAt: at(1) }),
      cluster("inst", "installing", { createdAt: at(2) }),
    ];
    // One provision in flight (inst) leaves one of maxConcurrent 2.
    expect(plan({ size: 0, maxConcurrent: 2 }, clusters).toDelete).toEqual(["Excess:inst"]);
  });

  it("keeps clusters that pending claims are waiting for", () => {
    const clusters = [cluster("i1", "installing"), cluster("i2", "installing", { createdAt: at(1) })];
    expect(plan({ size: 1 }, clusters, [claim("k1")]).toDelete).toEqual([]);
  });
});

describe("budget: stale replacement", () => {
  const twoStale = [
    cluster("stale-run", "ready", { templateHash: "old", createdAt: at(0) }),
    cluster("stale-hib", "hibernating", { templateHash: "old", createdAt: at(1) }),
  ];

  it.each<{
    case: string;
    pool: Partial<PoolView>;
    clusters: ClusterView[];
    claims?: ClaimView[];
    toDelete: string[];
  }>([
    {
      case: "a steady pool replaces one stale cluster at a time, a hibernating one before a running one",
      pool: { size: 2 },
      clusters: twoStale,
      toDelete: ["Stale:stale-hib"],
    },
    {
      case: "among equals the oldest stale cluster goes first",
      pool: { size: 2 },
      clusters: [
        cluster("s2", "hibernating", { templateHash: "old", createdAt: at(2) }),
        cluster("s1", "hibernating", { templateHash: "old", createdAt: at(1) }),
      ],
      toDelete: ["Stale:s1"],
    },
    {
      case: "not while a cluster is installing",
      pool: { size: 3 },
      clusters: [...twoStale, cluster("new", "installing")],
      toDelete: [],
    },
    {
      case: "not while a cluster is being deleted (the last replacement is still going)",
      pool: { size: 2 },
      clusters: [...twoStale, cluster("gone", "deleting")],
      toDelete: [],
    },
    {
      case: "not while the pool is short of size: it adds instead",
      pool: { size: 3 },
      clusters: twoStale,
      toDelete: [],
    },
    {
      case: "not while a claimed cluster waits for deletion",
      pool: { size: 2, maxConcurrent: 1 },
      clusters: [...twoStale, claimedCluster("used", "gone")],
      toDelete: ["ClaimNotFound:used"],
    },
    {
      case: "not while a broken cluster waits for deletion",
      pool: { size: 2 },
      clusters: [...twoStale, cluster("broken", "stalled")],
      toDelete: ["Stalled:broken"],
    },
    {
      case: "a pool held below size by maxSize still replaces its stale clusters",
      pool: { size: 3, maxSize: 2 },
      clusters: twoStale,
      toDelete: ["Stale:stale-hib"],
    },
    {
      case: "not while excess clusters are being deleted",
      pool: { size: 1 },
      clusters: twoStale,
      toDelete: ["Excess:stale-hib"],
    },
    {
      case: "not without budget",
      pool: { size: 2, maxConcurrent: 0 },
      clusters: twoStale,
      toDelete: [],
    },
    {
      case: "a stale cluster handed to a claim is not replaced",
      pool: { size: 0 },
      clusters: [cluster("stale", "ready", { templateHash: "old" })],
      claims: [claim("k1")],
      toDelete: [],
    },
  ])("$case", ({ pool: overrides, clusters, claims, toDelete }) => {
    expect(plan(overrides, clusters, claims).toDelete).toEqual(toDelete);
  });

  it("reports the pool current only when no unclaimed cluster is stale", () => {
    expect(plan({ size: 2 }, twoStale).decision.conditions.allClustersCurrent).toBe(false);
    expect(plan({ size: 1 }, [cluster("c1")]).decision.conditions.allClustersCurrent).toBe(true);
    const claimedStale = plan(
      { size: 0 },
      [claimedCluster("c1", "k1", { templateHash: "old" })],
      [claim("k1", { assignedCluster: "c1" })],
    );
    expect(claimedStale.decision.conditions.allClustersCurrent).toBe(true);
  });
});
