import {
  clusterPoolRefSetByPool,
  clusterKeyOf,
  clusterView,
  DEFAULT_PRIORITY_KEY,
  entryKey,
  FAILOVER_ANNOTATION,
  resumeReadiness,
  type ClusterObject,
  type ClusterFailover,
  type ClusterSet,
  type FailoverPhase,
} from "../api/index.js";
import { matchesLabelSelector } from "../runtime/label-selector.js";
import type { FailoverClusterView } from "./plan.js";

/** How the failover controller maps the API objects into the plan's views; pure. */

export const ENDED_PHASES: readonly FailoverPhase[] = ["Succeeded", "PartiallyFailed", "Failed", "Cancelled"];

export function hasEnded(failover: ClusterFailover): boolean {
  return ENDED_PHASES.includes(failover.status?.phase ?? "Pending");
}

/** The clusters (ClusterDeployments and HostedClusters) of `namespace` a set names: a pool's own clusters, or those its selector matches. */
export function clustersOfSet(set: ClusterSet, clusters: readonly ClusterObject[]): ClusterObject[] {
  return clusters.filter((cd) => {
    if (cd.metadata.deletionTimestamp) return false;
    if (set.poolName !== undefined)
      return clusterView(cd).clusterPoolRef?.poolName === set.poolName && clusterPoolRefSetByPool(cd);
    return set.selector !== undefined && matchesLabelSelector(cd.metadata.labels, set.selector as never);
  });
}

function priorityOf(cd: ClusterObject, key: string): number | undefined {
  const raw = cd.metadata.labels?.[key] ?? cd.metadata.annotations?.[key];
  if (raw === undefined || !/^-?[0-9]{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

export function failoverClusterView(
  cd: ClusterObject,
  failover: ClusterFailover,
  registrationRequired: boolean,
): FailoverClusterView {
  return {
    kind: clusterView(cd).kind,
    name: cd.metadata.name!,
    deleting: Boolean(cd.metadata.deletionTimestamp),
    desiredPowerState: cd.spec.powerState ?? "Running",
    heldBy: cd.metadata.annotations?.[FAILOVER_ANNOTATION],
    readiness: resumeReadiness(cd, { registrationRequired }),
    priority: priorityOf(cd, failover.spec.priorityKey ?? DEFAULT_PRIORITY_KEY),
  };
}

/**
 * The clusters (keys: kind and name) a failover holds: its fixed membership once started, else what its standby set
 * matches now.
 */
export function membersOf(failover: ClusterFailover, clusters: readonly ClusterObject[]): Set<string> {
  const entries = failover.status?.clusters;
  if (entries && entries.length > 0) return new Set(entries.map(entryKey));
  return new Set(clustersOfSet(failover.spec.standby, clusters).map(clusterKeyOf));
}

/** Older first (creation time, then name): the older of two failovers on one set goes on, the newer waits. */
export function isOlder(a: ClusterFailover, b: ClusterFailover): boolean {
  const ta = new Date(a.metadata.creationTimestamp ?? 0).getTime();
  const tb = new Date(b.metadata.creationTimestamp ?? 0).getTime();
  return ta < tb || (ta === tb && a.metadata.name! < b.metadata.name!);
}

/**
 * Another failover of the namespace, still running and older, whose set shares a cluster (or the pool) with this
 * one's. Two failovers resuming one set would each count the other's resumes against their own limits.
 */
export function conflictingFailover(
  failover: ClusterFailover,
  others: readonly ClusterFailover[],
  members: ReadonlySet<string>,
  clusters: readonly ClusterObject[],
): ClusterFailover | undefined {
  return others.find((other) => {
    if (other.metadata.name === failover.metadata.name || hasEnded(other) || other.spec.cancel) return false;
    if (other.metadata.deletionTimestamp || !isOlder(other, failover)) return false;
    const pool = failover.spec.standby.poolName;
    if (pool !== undefined && other.spec.standby.poolName === pool) return true;
    for (const key of membersOf(other, clusters)) if (members.has(key)) return true;
    return false;
  });
}
