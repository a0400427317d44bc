import type { AssignmentResult } from "./assignment.js";
import type { PoolBuckets } from "./buckets.js";
import type { BudgetPlan } from "./budget.js";
import { compareForService } from "./order.js";
import type { PoolView } from "./types.js";

export interface PowerPlan {
  /** Clusters whose `spec.powerState` becomes Running: newly assigned ones first, then the pool's run slots. */
  toResume: string[];
  /** Unclaimed clusters whose `spec.powerState` becomes Hibernating. */
  toHibernate: string[];
  /** How many of the clusters to create should start Running; the rest are created Hibernating. */
  toCreateRunning: number;
}

/**
 * Hive's runningCount: of the unclaimed clusters that survive this pass, the first `runningCount` + (claims
 * still pending) in service order run (already running first, so nothing running is stopped to start
 * something else), the rest hibernate. Installing clusters take part: their `spec.powerState` says what they
 * do once installed. Clusters created this pass fill the run slots left over.
 *
 * A cluster assigned this pass is set Running. A cluster claimed on an earlier pass is left alone: it belongs
 * to its claimant, whose own hibernation (schedules, hibernateAfter, `slipway hibernate`) must not be undone.
 * Broken, released and deleting clusters are left alone: they are on their way out. A cluster a ClusterFailover
 * holds running (`heldRunning`) takes its run slot like any other but is never hibernated.
 */
export function powerDecisions(
  pool: PoolView,
  buckets: PoolBuckets,
  assignment: AssignmentResult,
  plan: BudgetPlan,
): PowerPlan {
  const byName = new Map(buckets.assignable.map((cluster) => [cluster.name, cluster]));
  const toResume: string[] = [];
  const toHibernate: string[] = [];

  const assigned = new Set<string>();
  for (const { clusterName } of assignment.assignments) {
    assigned.add(clusterName);
    if (byName.get(clusterName)?.desiredPowerState !== "Running") toResume.push(clusterName);
  }

  const deleted = new Set(plan.toDelete.map((deletion) => deletion.clusterName));
  const survivors = [...buckets.assignable, ...buckets.installing]
    .filter((cluster) => !assigned.has(cluster.name) && !deleted.has(cluster.name))
    .sort(compareForService(pool));
  const slots = Math.max(0, pool.runningCount) + assignment.stillPending.length;

  survivors.forEach((cluster, index) => {
    const shouldRun = index < slots;
    if (shouldRun && cluster.desiredPowerState !== "Running") toResume.push(cluster.name);
    if (!shouldRun && cluster.desiredPowerState !== "Hibernating" && !cluster.heldRunning)
      toHibernate.push(cluster.name);
  });

  const toCreateRunning = Math.min(plan.toCreate, Math.max(0, slots - survivors.length));
  return { toResume, toHibernate, toCreateRunning };
}
