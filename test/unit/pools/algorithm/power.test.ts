import { describe, expect, it } from "vitest";
import {
  decide,
  type ClaimView,
  type ClusterView,
  type PoolView,
} from "../../../../src/pools/algorithm/index.js";
import { at, claim, claimedCluster, cluster, pool } from "./builders.js";

describe("powerDecisions: runningCount + pending claims run, the rest hibernate", () => {
  it.each<{
    case: string;
    pool: Partial<PoolView>;
    clusters: ClusterView[];
    claims?: ClaimView[];
    toResume: string[];
    toHibernate: string[];
  }>([
    {
      case: "runningCount 1 resumes the oldest of three hibernating clusters",
      pool: { size: 3, runningCount: 1 },
      clusters: [
        cluster("h3", "hibernating", { createdAt: at(3) }),
        cluster("h1", "hibernating", { createdAt: at(1) }),
        cluster("h2", "hibernating", { createdAt: at(2) }),
      ],
      toResume: ["h1"],
      toHibernate: [],
    },
    {
      case: "a cluster already running keeps the slot rather than resuming an older one",
      pool: { size: 2, runningCount: 1 },
      clusters: [
        cluster("old-hib", "hibernating", { createdAt: at(0) }),
        cluster("young-run", "ready", { createdAt: at(5) }),
      ],
      toResume: [],
      toHibernate: [],
    },
    {
      case: "runningCount 0 hibernates unclaimed running clusters",
      pool: { size: 2, runningCount: 0 },
      clusters: [cluster("r1", "ready", { createdAt: at(1) }), cluster("r2", "ready", { createdAt: at(2) })],
      toResume: [],
      toHibernate: ["r1", "r2"],
    },
    {
      case: "beyond runningCount the youngest running clusters hibernate",
      pool: { size: 3, runningCount: 1 },
      clusters: [
        cluster("r1", "ready", { createdAt: at(1) }),
        cluster("r2", "ready", { createdAt: at(2) }),
        cluster("r3", "ready", { createdAt: at(3) }),
      ],
      toResume: [],
      toHibernate: ["r2", "r3"],
    },
    {
      case: "a resume asked for on the last pass is not cancelled for an older hibernating cluster",
      pool: { size: 2, runningCount: 1 },
      clusters: [
        cluster("older", "hibernating", { createdAt: at(0) }),
        cluster("resuming", "hibernating", { createdAt: at(5), desiredPowerState: "Running" }),
      ],
      toResume: [],
      toHibernate: [],
    },
    {
      case: "each claim still pending adds a run slot, given to installing clusters so they come up running",
      pool: { size: 2, runningCount: 0 },
      clusters: [
        cluster("i1", "installing", { createdAt: at(1) }),
        cluster("i2", "installing", { createdAt: at(2) }),
      ],
      claims: [claim("k1")],
      toResume: ["i1"],
      toHibernate: [],
    },
    {
      case: "an installing cluster beyond the run slots is told to hibernate once installed",
      pool: { size: 1, runningCount: 0 },
      clusters: [cluster("i1", "installing", { desiredPowerState: "Running" })],
      toResume: [],
      toHibernate: ["i1"],
    },
    {
      case: "at the same readiness the current template gets the run slot before a stale one",
      // maxConcurrent 0 holds back stale replacement, which would otherwise remove the stale cluster.
      pool: { size: 2, runningCount: 1, maxConcurrent: 0 },
      clusters: [
        cluster("stale", "hibernating", { templateHash: "old", createdAt: at(0) }),
        cluster("current", "hibernating", { createdAt: at(5) }),
      ],
      toResume: ["current"],
      toHibernate: [],
    },
    {
      case: "a cluster claimed on an earlier pass and hibernated by its claimant is left alone",
      pool: { size: 0, runningCount: 0 },
      clusters: [
        claimedCluster("mine", "k1", { powerState: "Hibernating", desiredPowerState: "Hibernating" }),
      ],
      claims: [claim("k1", { assignedCluster: "mine" })],
      toResume: [],
      toHibernate: [],
    },
    {
      case: "a cluster a ClusterFailover holds running is never hibernated by runningCount",
      pool: { size: 2, runningCount: 0 },
      clusters: [
        cluster("held", "ready", { createdAt: at(1), heldRunning: true }),
        cluster("free", "ready", { createdAt: at(2) }),
      ],
      toResume: [],
      toHibernate: ["free"],
    },
    {
      case: "broken, released and deleting clusters get no power change",
      pool: { size: 0, runningCount: 0 },
      clusters: [
        cluster("broken", "stalled"),
        claimedCluster("released", "gone"),
        cluster("del", "deleting"),
      ],
      toResume: [],
      toHibernate: [],
    },
  ])("$case", ({ pool: overrides, clusters, claims = [], toResume, toHibernate }) => {
    const decision = decide(pool(overrides), clusters, claims);
    expect(decision.toResume).toEqual(toResume);
    expect(decision.toHibernate).toEqual(toHibernate);
  });

  it("does not spend power changes on a cluster it is deleting", () => {
    const decision = decide(
      pool({ size: 1, runningCount: 2 }),
      [
        cluster("keep", "hibernating", { createdAt: at(0) }),
        cluster("extra", "hibernating", { createdAt: at(1) }),
      ],
      [],
    );
    expect(decision.toDelete.map((d) => d.clusterName)).toEqual(["extra"]);
    expect(decision.toResume).toEqual(["keep"]);
  });

  it.each([
    {
      case: "an empty pool starts runningCount of its new clusters running",
      runningCount: 1,
      claims: 0,
      running: 1,
    },
    { case: "and one more per pending claim", runningCount: 1, claims: 1, running: 2 },
    { case: "never more than it creates", runningCount: 5, claims: 0, running: 3 },
  ])("$case", ({ runningCount, claims, running }) => {
    const pending = Array.from({ length: claims }, (_, i) => claim(`k${i}`));
    const decision = decide(pool({ size: 3 - claims, runningCount }), [], pending);
    expect(decision.toCreate).toBe(3);
    expect(decision.toCreateRunning).toBe(running);
  });
});
