import type { ClusterPool } from "../../api/index.js";
import { setCondition, summarizePass, type Condition } from "../../runtime/conditions.js";
import type { StatusInput } from "../../runtime/reconciler.js";
import type { OwnedStatus } from "../../runtime/status-patch.js";
import type { PoolDecision } from "../algorithm/index.js";
import { templateHash } from "../labels.js";
import type { PoolScope } from "./phases.js";

export const PoolCondition = {
  CapacityAvailable: "CapacityAvailable",
  AllClustersCurrent: "AllClustersCurrent",
} as const;

/** Done: `size` unclaimed clusters installed, nothing broken, stale, being created or deleted by the pool. */
function summary(pool: ClusterPool, decision: PoolDecision): { done: boolean; reason: string; message: string } {
  const { counts } = decision;
  const size = pool.spec.size;
  const installed = counts.ready + counts.standby;
  if (counts.broken > 0) return { done: false, reason: "ReplacingBrokenClusters", message: `${counts.broken} cluster(s) are broken and being replaced` };
  if (decision.toCreate > 0 || counts.installing > 0) {
    return { done: false, reason: "Provisioning", message: `${installed} of ${size} unclaimed clusters installed; ${counts.installing + decision.toCreate} installing` };
  }
  if (counts.stale > 0) return { done: false, reason: "ReplacingStaleClusters", message: `${counts.stale} cluster(s) were built from an older template and are replaced one at a time` };
  if (installed > size) return { done: false, reason: "RemovingExcessClusters", message: `${installed} unclaimed clusters; removing down to ${size}` };
  if (installed < size && decision.budget.available === 0) {
    return { done: false, reason: "WaitingForConcurrencyBudget", message: `${installed} of ${size} unclaimed clusters; maxConcurrent ${pool.spec.maxConcurrent} operations are in flight` };
  }
  if (installed < size) {
    return { done: false, reason: "MaxSizeReached", message: `${installed} of ${size} unclaimed clusters; maxSize ${pool.spec.maxSize ?? "-"} stops the pool from adding more` };
  }
  const pending = decision.pendingClaims.length;
  return {
    done: true,
    reason: "PoolReady",
    message: `${size} unclaimed cluster(s): ${counts.ready} running, ${counts.standby} hibernating; ${counts.claimed} claimed${pending ? `, ${pending} claim(s) pending` : ""}`,
  };
}

function domainConditions(conditions: Condition[], pool: ClusterPool, decision: PoolDecision | undefined, now: Date, generation?: number): Condition[] {
  let list = conditions;
  if (!decision) {
    for (const type of Object.values(PoolCondition)) {
      if (!list.some((c) => c.type === type)) {
        list = setCondition(list, { type, status: "Unknown", reason: "NotYetEvaluated", message: "The pool has not been evaluated yet", observedGeneration: generation }, now);
      }
    }
    return list;
  }
  list = setCondition(
    list,
    decision.conditions.capacityAvailable
      ? { type: PoolCondition.CapacityAvailable, status: "True", reason: "CapacityAvailable", message: pool.spec.maxSize === undefined ? "The pool has no maxSize" : `Below maxSize ${pool.spec.maxSize}`, observedGeneration: generation }
      : {
          type: PoolCondition.CapacityAvailable,
          status: "False",
          reason: "MaxSizeReached",
          message: `The pool holds maxSize ${pool.spec.maxSize} clusters; raise maxSize or release claims to add more`,
          observedGeneration: generation,
        },
    now,
  );
  list = setCondition(
    list,
    decision.conditions.allClustersCurrent
      ? { type: PoolCondition.AllClustersCurrent, status: "True", reason: "AllClustersCurrent", message: "Every unclaimed cluster was built from the current template", observedGeneration: generation }
      : {
          type: PoolCondition.AllClustersCurrent,
          status: "False",
          reason: "StaleClusters",
          message: `${decision.counts.stale} unclaimed cluster(s) were built from an older template; they are replaced one at a time`,
          observedGeneration: generation,
        },
    now,
  );
  return list;
}

export function computePoolStatus(input: StatusInput<ClusterPool, PoolScope>): OwnedStatus {
  const { object: pool, now, generation } = input;
  const previous = pool.status;
  const decision = input.scope?.decision;
  const counts = decision?.counts;
  const pass = decision ? summary(pool, decision) : { done: false, reason: "Evaluating", message: "Reading the pool's clusters and claims" };
  let conditions = summarizePass(
    previous?.conditions as Condition[] | undefined,
    {
      error: input.error,
      deleting: input.deleting,
      done: pass.done,
      reason: pass.reason,
      message: input.deleting ? "Deleting the pool's unclaimed clusters" : pass.message,
      observedGeneration: generation,
    },
    now,
  );
  conditions = domainConditions(conditions, pool, decision, now, generation);
  return {
    conditions,
    size: counts?.size ?? previous?.size ?? 0,
    ready: counts?.ready ?? previous?.ready ?? 0,
    standby: counts?.standby ?? previous?.standby ?? 0,
    installing: counts?.installing ?? previous?.installing ?? 0,
    claimed: counts?.claimed ?? previous?.claimed ?? 0,
    pendingClaims: decision?.pendingClaims.length ?? previous?.pendingClaims ?? 0,
    templateHash: input.scope?.templateHash ?? templateHash(pool.spec.template),
  };
}
