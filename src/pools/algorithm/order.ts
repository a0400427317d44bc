import type { ClaimView, ClusterView, PoolView } from "./types.js";

/** Installed, Running and, when the pool requires it, bootstrapped: a claim can use it right now. */
export function isReady(cluster: ClusterView): boolean {
  return (
    cluster.provisioned &&
    cluster.powerState === "Running" &&
    (!cluster.bootstrapRequired || cluster.bootstrapped)
  );
}

export function isStale(pool: PoolView, cluster: ClusterView): boolean {
  return cluster.templateHash !== pool.templateHash;
}

/**
 * How far an unclaimed cluster is from serving a claim; lower is closer. A cluster already asked to run ranks
 * with the ones starting, whatever its observed state, so that a resume issued on the last pass is not
 * cancelled in favour of an older hibernating cluster on this one (no flip-flopping between passes).
 */
export function readinessRank(cluster: ClusterView): number {
  if (!cluster.provisioned) return cluster.desiredPowerState === "Running" ? 5 : 6;
  if (isReady(cluster)) return 0;
  if (
    cluster.powerState === "Running" ||
    cluster.powerState === "Starting" ||
    cluster.desiredPowerState === "Running"
  ) {
    return 1;
  }
  if (cluster.powerState === "Hibernating") return 2;
  if (cluster.powerState === "Stopping") return 3;
  return 4;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Oldest first, name as the tiebreak. */
export function compareClustersByAge(a: ClusterView, b: ClusterView): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || compareNames(a.name, b.name);
}

/** FIFO: oldest claim first, name as the tiebreak. */
export function compareClaimsByAge(a: ClaimView, b: ClaimView): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || compareNames(a.name, b.name);
}

/**
 * The order in which unclaimed clusters are handed to claims and given the pool's Running slots: closest to
 * ready first; at the same readiness the current template before a stale one; then oldest first.
 */
export function compareForService(pool: PoolView): (a: ClusterView, b: ClusterView) => number {
  return (a, b) =>
    readinessRank(a) - readinessRank(b) ||
    Number(isStale(pool, a)) - Number(isStale(pool, b)) ||
    compareClustersByAge(a, b);
}

/**
 * The order in which excess unclaimed clusters are deleted: stale before current, then furthest from ready
 * (installing, then stopping / hibernating, then starting, running last), then newest first so the oldest,
 * which FIFO hands out first, are kept.
 */
export function compareForExcessDeletion(pool: PoolView): (a: ClusterView, b: ClusterView) => number {
  return (a, b) =>
    Number(isStale(pool, b)) - Number(isStale(pool, a)) ||
    readinessRank(b) - readinessRank(a) ||
    compareClustersByAge(b, a);
}

/** Stale replacement takes a not-running cluster before a running one, oldest first. */
export function compareForStaleReplacement(a: ClusterView, b: ClusterView): number {
  return readinessRank(b) - readinessRank(a) || compareClustersByAge(a, b);
}
