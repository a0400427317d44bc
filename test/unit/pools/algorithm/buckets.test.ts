import { describe, expect, it } from "vitest";
import {
  sortIntoBuckets,
  type ClaimView,
  type ClusterView,
  type PoolBuckets,
} from "../../../../src/pools/algorithm/index.js";
import { at, claim, cluster, claimedCluster, now, pool } from "./builders.js";

function bucketOf(buckets: PoolBuckets, name: string): string {
  const has = (list: readonly ClusterView[]) => list.some((c) => c.name === name);
  if (has(buckets.ready)) return "ready";
  if (has(buckets.standby)) return "standby";
  if (has(buckets.installing)) return "installing";
  if (has(buckets.deleting)) return "deleting";
  const broken = buckets.broken.find((b) => b.cluster.name === name);
  if (broken) return `broken:${broken.reason}`;
  if (buckets.claimed.some((c) => c.cluster.name === name)) return "claimed";
  const released = buckets.released.find((r) => r.cluster.name === name);
  if (released) return `released:${released.reason}`;
  return "none";
}

const tenMinutes = 10 * 60_000;

describe("sortIntoBuckets: one cluster", () => {
  it.each<{ case: string; c: ClusterView; claims?: ClaimView[]; resumeTimeoutMs?: number; bucket: string }>([
    { case: "running and bootstrapped is ready", c: cluster("c1"), bucket: "ready" },
    {
      case: "running without bootstrap is ready when the pool does not require bootstrap",
      c: cluster("c1", "ready", { bootstrapRequired: false, bootstrapped: false }),
      bucket: "ready",
    },
    {
      case: "running but not yet bootstrapped is standby, not claimable at once",
      c: cluster("c1", "bootstrapping"),
      bucket: "standby",
    },
    { case: "hibernating is standby", c: cluster("c1", "hibernating"), bucket: "standby" },
    { case: "starting is standby", c: cluster("c1", "starting"), bucket: "standby" },
    { case: "stopping is standby", c: cluster("c1", "stopping"), bucket: "standby" },
    { case: "not provisioned is installing", c: cluster("c1", "installing"), bucket: "installing" },
    { case: "deleting is deleting", c: cluster("c1", "deleting"), bucket: "deleting" },
    {
      case: "a deleting cluster is deleting even when claimed",
      c: claimedCluster("c1", "k1", { deleting: true }),
      claims: [claim("k1", { assignedCluster: "c1" })],
      bucket: "deleting",
    },
    { case: "stalled is broken", c: cluster("c1", "stalled"), bucket: "broken:Stalled" },
    {
      case: "a stalled install is broken, not installing",
      c: cluster("c1", "installing", { stalled: true }),
      bucket: "broken:Stalled",
    },
    {
      case: "starting for longer than the resume timeout is broken",
      c: cluster("c1", "starting", { resumingSince: new Date(now.getTime() - tenMinutes) }),
      resumeTimeoutMs: tenMinutes,
      bucket: "broken:ResumeTimeout",
    },
    {
      case: "running but never bootstrapped after the resume timeout is broken",
      c: cluster("c1", "bootstrapping", { resumingSince: at(0) }),
      resumeTimeoutMs: tenMinutes,
      bucket: "broken:ResumeTimeout",
    },
    {
      case: "starting within the resume timeout is standby",
      c: cluster("c1", "starting", { resumingSince: new Date(now.getTime() - tenMinutes + 1) }),
      resumeTimeoutMs: tenMinutes,
      bucket: "standby",
    },
    {
      case: "without a resume timeout a slow resume is never broken",
      c: cluster("c1", "starting", { resumingSince: at(0) }),
      bucket: "standby",
    },
    {
      case: "a ready cluster is not broken by an old resumingSince",
      c: cluster("c1", "ready", { resumingSince: at(0) }),
      resumeTimeoutMs: tenMinutes,
      bucket: "ready",
    },
    {
      case: "bound to a live claim is claimed",
      c: claimedCluster("c1", "k1"),
      claims: [claim("k1", { assignedCluster: "c1" })],
      bucket: "claimed",
    },
    {
      case: "a claimed cluster stays claimed even when stalled: the pool does not delete a claimant's cluster",
      c: claimedCluster("c1", "k1", { stalled: true }),
      claims: [claim("k1", { assignedCluster: "c1" })],
      bucket: "claimed",
    },
    {
      case: "bound to a claim being deleted is released",
      c: claimedCluster("c1", "k1"),
      claims: [claim("k1", { deleting: true, assignedCluster: "c1" })],
      bucket: "released:ClaimDeleted",
    },
    {
      case: "bound to an expired claim is released",
      c: claimedCluster("c1", "k1"),
      claims: [claim("k1", { expiresAt: now, assignedCluster: "c1" })],
      bucket: "released:ClaimExpired",
    },
    {
      case: "bound to a claim that no longer exists is released",
      c: claimedCluster("c1", "k1"),
      bucket: "released:ClaimNotFound",
    },
  ])("$case", ({ c, claims = [], resumeTimeoutMs, bucket }) => {
    const buckets = sortIntoBuckets(pool({ resumeTimeoutMs }), [c], claims);
    expect(bucketOf(buckets, "c1")).toBe(bucket);
  });
});

describe("sortIntoBuckets: stale", () => {
  it("marks unclaimed ready, standby and installing clusters from another template stale, oldest first", () => {
    const buckets = sortIntoBuckets(
      pool(),
      [
        cluster("ready-old", "ready", { templateHash: "old", createdAt: at(3) }),
        cluster("hib-old", "hibernating", { templateHash: "old", createdAt: at(1) }),
        cluster("inst-old", "installing", { templateHash: "old", createdAt: at(2) }),
        cluster("ready-new", "ready", { createdAt: at(0) }),
        cluster("broken-old", "stalled", { templateHash: "old" }),
        claimedCluster("claimed-old", "k1", { templateHash: "old" }),
      ],
      [claim("k1", { assignedCluster: "claimed-old" })],
    );
    expect(buckets.stale.map((c) => c.name)).toEqual(["hib-old", "inst-old", "ready-old"]);
    expect(bucketOf(buckets, "ready-old")).toBe("ready");
    expect(bucketOf(buckets, "inst-old")).toBe("installing");
  });
});

describe("sortIntoBuckets: claims", () => {
  it("lists pending claims oldest first, by name when created at the same time", () => {
    const buckets = sortIntoBuckets(
      pool(),
      [],
      [claim("b", { createdAt: at(5) }), claim("z", { createdAt: at(1) }), claim("a", { createdAt: at(5) })],
    );
    expect(buckets.pendingClaims.map((c) => c.name)).toEqual(["z", "a", "b"]);
  });

  it("leaves claims being deleted out, and reports expired ones for deletion instead of serving them", () => {
    const buckets = sortIntoBuckets(
      pool(),
      [claimedCluster("c1", "bound-expired")],
      [
        claim("gone", { deleting: true }),
        claim("late", { expiresAt: at(999) }),
        claim("bound-expired", { expiresAt: at(10), assignedCluster: "c1" }),
        claim("fresh", { expiresAt: at(2_000) }),
      ],
    );
    expect(buckets.pendingClaims.map((c) => c.name)).toEqual(["fresh"]);
    expect(buckets.expiredClaims.map((c) => c.name).sort()).toEqual(["bound-expired", "late"]);
  });

  it("reports a claim whose cluster was deleted as lost instead of pending", () => {
    const buckets = sortIntoBuckets(
      pool(),
      [cluster("c1", "deleting", { claimName: "k1" }), cluster("c2")],
      [claim("k1", { assignedCluster: "c1" }), claim("k2", { assignedCluster: "vanished" })],
    );
    expect(buckets.lostClaims.map((c) => c.name)).toEqual(["k1", "k2"]);
    expect(buckets.pendingClaims).toEqual([]);
  });

  it("keeps the cluster the claim was told about when two clusters name one claim, and releases the other", () => {
    const buckets = sortIntoBuckets(
      pool(),
      [
        claimedCluster("older", "k1", { createdAt: at(0) }),
        claimedCluster("told", "k1", { createdAt: at(1) }),
      ],
      [claim("k1", { assignedCluster: "told" })],
    );
    expect(bucketOf(buckets, "told")).toBe("claimed");
    expect(bucketOf(buckets, "older")).toBe("released:ClaimConflict");
  });

  it("puts every cluster in exactly one bucket", () => {
    const clusters = [
      cluster("r"),
      cluster("s", "hibernating"),
      cluster("i", "installing"),
      cluster("d", "deleting"),
      cluster("b", "stalled"),
      claimedCluster("c", "k1"),
      claimedCluster("x", "gone"),
    ];
    const buckets = sortIntoBuckets(pool(), clusters, [claim("k1", { assignedCluster: "c" })]);
    expect(clusters.map((c) => bucketOf(buckets, c.name))).toEqual([
      "ready",
      "standby",
      "installing",
      "deleting",
      "broken:Stalled",
      "claimed",
      "released:ClaimNotFound",
    ]);
  });
});
