import type { PoolBuckets } from "./buckets.js";
import { isReady } from "./order.js";
import type { ClaimView, ClusterPowerState, ClusterView } from "./types.js";

export interface Assignment {
  claimName: string;
  claimNamespace: string;
  clusterName: string;
  /** The cluster's observed power state when it was assigned. */
  clusterPowerState: ClusterPowerState;
  /** Running and bootstrapped when required: the claim can use it now. */
  clusterReady: boolean;
  /** The cluster was not running nor asked to run: the pool resumes it for this claim. */
  resuming: boolean;
  /** What to tell the claim's owner (the claim's `Pending` condition message). */
  message: string;
}

export interface AssignmentResult {
  assignments: Assignment[];
  /** Claims still without a cluster after this pass, FIFO. */
  stillPending: ClaimView[];
}

function describe(cluster: ClusterView): { resuming: boolean; message: string } {
  if (isReady(cluster)) return { resuming: false, message: `Assigned running cluster ${cluster.name}` };
  if (cluster.powerState === "Running") {
    return {
      resuming: false,
      message: `Assigned cluster ${cluster.name}; it is running and being bootstrapped`,
    };
  }
  if (cluster.powerState === "Starting" || cluster.desiredPowerState === "Running") {
    return { resuming: false, message: `Assigned cluster ${cluster.name}; it is already resuming` };
  }
  return {
    resuming: true,
    message: `No running cluster was free; assigned ${cluster.powerState.toLowerCase()} cluster ${cluster.name} and resuming it`,
  };
}

function bind(claim: ClaimView, cluster: ClusterView): Assignment {
  return {
    claimName: claim.name,
    claimNamespace: claim.namespace,
    clusterName: cluster.name,
    clusterPowerState: cluster.powerState,
    clusterReady: isReady(cluster),
    ...describe(cluster),
  };
}

/**
 * FIFO assignment: the oldest pending claim gets the assignable cluster closest to ready (running, then
 * resuming, then hibernating; the current template before a stale one; oldest first). A hibernating cluster is
 * assigned and resumed rather than leaving the claim waiting for a running one, as Hive does. Installing
 * clusters are never assigned: a claim bound to an install that then fails would be stranded, and leaving it
 * pending lets whichever install finishes first go to the oldest claim.
 *
 * A pending claim whose status already names an assignable cluster is bound back to that cluster first (the
 * controller wrote the claim but the cluster side of the binding was lost).
 */
export function assignClaims(buckets: PoolBuckets): AssignmentResult {
  const free = [...buckets.assignable];
  const assignments: Assignment[] = [];
  const unbound: ClaimView[] = [];

  for (const claim of buckets.pendingClaims) {
    const index =
      claim.assignedCluster === undefined ? -1 : free.findIndex((c) => c.name === claim.assignedCluster);
    const [cluster] = index >= 0 ? free.splice(index, 1) : [];
    if (cluster !== undefined) assignments.push(bind(claim, cluster));
    else unbound.push(claim);
  }

  const stillPending: ClaimView[] = [];
  for (const claim of unbound) {
    const cluster = free.shift();
    if (cluster !== undefined) assignments.push(bind(claim, cluster));
    else stillPending.push(claim);
  }
  return { assignments, stillPending };
}
