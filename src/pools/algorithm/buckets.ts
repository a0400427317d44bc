import { compareClaimsByAge, compareClustersByAge, compareForService, isReady, isStale } from "./order.js";
import type { BrokenReason, ClaimView, ClusterView, PoolView, ReleaseReason } from "./types.js";

export interface BrokenCluster {
  cluster: ClusterView;
  reason: BrokenReason;
}

export interface ClaimedCluster {
  cluster: ClusterView;
  claim: ClaimView;
}

/** A cluster bound to a claim that is gone, being deleted, expired, or already bound to another cluster. */
export interface ReleasedCluster {
  cluster: ClusterView;
  claimName: string;
  reason: ReleaseReason;
}

/**
 * Every cluster lands in exactly one of ready, standby, installing, deleting, broken, claimed or released;
 * `assignable` and `stale` are views across those.
 */
export interface PoolBuckets {
  /** Unclaimed, installed, Running and bootstrapped when required: a claim gets it at once. Service order. */
  ready: ClusterView[];
  /**
   * Unclaimed and installed but not ready: hibernating, stopping, starting, or running and awaiting bootstrap.
   * Service order.
   */
  standby: ClusterView[];
  /** ready then standby, in the order claims take them. Stale clusters are assignable too (as in Hive). */
  assignable: ClusterView[];
  /** Unclaimed, install not finished. Oldest first. */
  installing: ClusterView[];
  /** Deprovision in flight, claimed or not. Oldest first. */
  deleting: ClusterView[];
  /** Unclaimed and Stalled, or asked to run and not ready within the pool's resume timeout. Oldest first. */
  broken: BrokenCluster[];
  /** Unclaimed, not broken, not deleting, built from another template hash. Oldest first. */
  stale: ClusterView[];
  /** Bound to a live claim. Claim FIFO order. */
  claimed: ClaimedCluster[];
  /** Hive's "delete for claims": the cluster's claim went away or expired. Oldest cluster first. */
  released: ReleasedCluster[];
  /**
   * Live claims with no cluster, FIFO. A claim whose status names a cluster that is still unclaimed and
   * assignable is here too: assignment binds it back to that same cluster.
   */
  pendingClaims: ClaimView[];
  /** Expired claims not yet being deleted, bound or not: the claim controller deletes them. */
  expiredClaims: ClaimView[];
  /**
   * Live claims whose status names a cluster that is gone, being deleted, broken or bound elsewhere. They are
   * not given another cluster silently: the user was told about that one, so the claim reports the loss.
   */
  lostClaims: ClaimView[];
}

export function isClaimExpired(pool: PoolView, claim: ClaimView): boolean {
  return claim.expiresAt !== undefined && claim.expiresAt.getTime() <= pool.now.getTime();
}

function brokenReason(pool: PoolView, cluster: ClusterView): BrokenReason | undefined {
  if (cluster.stalled) return "Stalled";
  const timeout = pool.resumeTimeoutMs ?? 0;
  if (
    timeout > 0 &&
    cluster.provisioned &&
    !isReady(cluster) &&
    cluster.resumingSince !== undefined &&
    pool.now.getTime() - cluster.resumingSince.getTime() >= timeout
  ) {
    return "ResumeTimeout";
  }
  return undefined;
}

/** Sorts the pool's clusters and claims into Hive's buckets. Pure; every list is in a deterministic order. */
export function sortIntoBuckets(
  pool: PoolView,
  clusters: readonly ClusterView[],
  claims: readonly ClaimView[],
): PoolBuckets {
  const buckets: PoolBuckets = {
    ready: [],
    standby: [],
    assignable: [],
    installing: [],
    deleting: [],
    broken: [],
    stale: [],
    claimed: [],
    released: [],
    pendingClaims: [],
    expiredClaims: [],
    lostClaims: [],
  };
  const claimsByName = new Map(claims.map((claim) => [claim.name, claim]));
  const boundByClaim = new Map<string, ClusterView[]>();

  for (const cluster of [...clusters].sort(compareClustersByAge)) {
    if (cluster.deleting) {
      buckets.deleting.push(cluster);
    } else if (cluster.claimName !== undefined) {
      const bound = boundByClaim.get(cluster.claimName) ?? [];
      bound.push(cluster);
      boundByClaim.set(cluster.claimName, bound);
    } else {
      const reason = brokenReason(pool, cluster);
      if (reason !== undefined) {
        buckets.broken.push({ cluster, reason });
        continue;
      }
      if (!cluster.provisioned) buckets.installing.push(cluster);
      else if (isReady(cluster)) buckets.ready.push(cluster);
      else buckets.standby.push(cluster);
      if (isStale(pool, cluster)) buckets.stale.push(cluster);
    }
  }

  const boundClaimNames = new Set<string>();
  for (const [claimName, bound] of boundByClaim) {
    const claim = claimsByName.get(claimName);
    const live = claim !== undefined && !claim.deleting && !isClaimExpired(pool, claim);
    if (!live) {
      const reason: ReleaseReason =
        claim === undefined ? "ClaimNotFound" : claim.deleting ? "ClaimDeleted" : "ClaimExpired";
      for (const cluster of bound) buckets.released.push({ cluster, claimName, reason });
      continue;
    }
    // Two clusters bound to one claim: the one the claim was told about wins, else the oldest. The other was
    // handed out too and is never returned to the pool.
    const winner = bound.find((cluster) => cluster.name === claim.assignedCluster) ?? bound[0];
    for (const cluster of bound) {
      if (cluster === winner) buckets.claimed.push({ cluster, claim });
      else buckets.released.push({ cluster, claimName, reason: "ClaimConflict" });
    }
    boundClaimNames.add(claimName);
  }

  const serviceOrder = compareForService(pool);
  buckets.ready.sort(serviceOrder);
  buckets.standby.sort(serviceOrder);
  buckets.assignable = [...buckets.ready, ...buckets.standby];
  const assignableNames = new Set(buckets.assignable.map((cluster) => cluster.name));

  for (const claim of [...claims].sort(compareClaimsByAge)) {
    if (claim.deleting) continue;
    if (isClaimExpired(pool, claim)) {
      buckets.expiredClaims.push(claim);
    } else if (boundClaimNames.has(claim.name)) {
      continue;
    } else if (claim.assignedCluster === undefined || assignableNames.has(claim.assignedCluster)) {
      buckets.pendingClaims.push(claim);
    } else {
      buckets.lostClaims.push(claim);
    }
  }

  buckets.claimed.sort((a, b) => compareClaimsByAge(a.claim, b.claim));
  buckets.released.sort((a, b) => compareClustersByAge(a.cluster, b.cluster));
  return buckets;
}

/** Every cluster of the pool, whatever its bucket. */
export function totalClusters(buckets: PoolBuckets): number {
  return (
    buckets.ready.length +
    buckets.standby.length +
    buckets.installing.length +
    buckets.deleting.length +
    buckets.broken.length +
    buckets.claimed.length +
    buckets.released.length
  );
}
