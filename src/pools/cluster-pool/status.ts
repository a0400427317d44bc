import type { ClusterPool } from "../../api/index.js";
import { ClusterPoolReason as Reason } from "../../api/reasons.js";
import { fieldsNotActedOn, notActedOnMessage } from "../../api/fields-not-acted-on.js";
import { removeCondition, setCondition, summarize, type Condition } from "../../runtime/conditions.js";
import type { StatusInput } from "../../runtime/reconciler.js";
import type { OwnedStatus } from "../../runtime/status-patch.js";
import { DEFAULT_REPLACEMENT_BUDGET, type PoolDecision } from "../algorithm/index.js";
import { templateHash } from "../labels.js";
import type { PoolScope } from "./scope.js";

export const PoolCondition = {
  Populated: "Populated",
  CapacityAvailable: "CapacityAvailable",
  AllClustersCurrent: "AllClustersCurrent",
  FieldsNotActedOn: "FieldsNotActedOn",
} as const;

/** Ready summarizes these; CapacityAvailable=False (maxSize reached) does not stop a full pool being Ready. */
export const POOL_READY_CONDITIONS = [PoolCondition.Populated] as const;

/** Done: `size` unclaimed clusters installed, nothing broken, stale, being created or deleted by the pool. */
function summary(
  pool: ClusterPool,
  decision: PoolDecision,
): { done: boolean; reason: string; message: string } {
  const { counts } = decision;
  const size = pool.spec.size;
  const installed = counts.ready + counts.standby;
  const failure = decision.templateFailure;
  if (failure) {
    return {
      done: false,
      reason: Reason.TemplateCannotProvision,
      message:
        `clusters built from the template stall before they are provisioned (${failure.clusters.join(", ")}): ` +
        `${failure.reason}: ${failure.message}. The pool creates no more clusters until the template or what it ` +
        `depends on is fixed; the stalled ones provision by themselves once it is`,
    };
  }
  if (counts.broken > 0 && decision.nextReplacementAt) {
    return {
      done: false,
      reason: Reason.WaitingToReplaceBrokenClusters,
      message: `${counts.broken} cluster(s) are broken; the next is replaced at ${decision.nextReplacementAt.toISOString()} (replacement budget)`,
    };
  }
  if (counts.broken > 0)
    return {
      done: false,
      reason: Reason.ReplacingBrokenClusters,
      message: `${counts.broken} cluster(s) are broken and being replaced`,
    };
  if (decision.toCreate > 0 || counts.installing > 0) {
    return {
      done: false,
      reason: Reason.Provisioning,
      message: `${installed} of ${size} unclaimed clusters installed; ${counts.installing + decision.toCreate} installing`,
    };
  }
  if (counts.stale > 0)
    return {
      done: false,
      reason: Reason.ReplacingStaleClusters,
      message: `${counts.stale} cluster(s) were built from an older template and are replaced one at a time`,
    };
  if (installed > size)
    return {
      done: false,
      reason: Reason.RemovingExcessClusters,
      message: `${installed} unclaimed clusters; removing down to ${size}`,
    };
  if (installed < size && decision.budget.available === 0) {
    return {
      done: false,
      reason: Reason.WaitingForConcurrencyBudget,
      message: `${installed} of ${size} unclaimed clusters; maxConcurrent ${pool.spec.maxConcurrent} operations are in flight`,
    };
  }
  if (installed < size) {
    return {
      done: false,
      reason: Reason.MaxSizeReached,
      message: `${installed} of ${size} unclaimed clusters; maxSize ${pool.spec.maxSize ?? "-"} stops the pool from adding more`,
    };
  }
  const pending = decision.pendingClaims.length;
  return {
    done: true,
    reason: Reason.PoolReady,
    message: `${size} unclaimed cluster(s): ${counts.ready} running, ${counts.standby} hibernating; ${counts.claimed} claimed${pending ? `, ${pending} claim(s) pending` : ""}`,
  };
}

function domainConditions(
  conditions: Condition[],
  pool: ClusterPool,
  decision: PoolDecision | undefined,
  now: Date,
  generation?: number,
): Condition[] {
  let list = conditions;
  if (!decision) {
    for (const type of [PoolCondition.CapacityAvailable, PoolCondition.AllClustersCurrent]) {
      if (!list.some((c) => c.type === type)) {
        list = setCondition(
          list,
          {
            type,
            status: "Unknown",
            reason: Reason.NotYetEvaluated,
            message: "The pool has not been evaluated yet",
            observedGeneration: generation,
          },
          now,
        );
      }
    }
    return list;
  }
  list = setCondition(
    list,
    decision.conditions.capacityAvailable
      ? {
          type: PoolCondition.CapacityAvailable,
          status: "True",
          reason: Reason.CapacityAvailable,
          message:
            pool.spec.maxSize === undefined
              ? "The pool has no maxSize"
              : `Below maxSize ${pool.spec.maxSize}`,
          observedGeneration: generation,
        }
      : {
          type: PoolCondition.CapacityAvailable,
          status: "False",
          reason: Reason.MaxSizeReached,
          message: `The pool holds maxSize ${pool.spec.maxSize} clusters; raise maxSize or release claims to add more`,
          observedGeneration: generation,
        },
    now,
  );
  list = setCondition(
    list,
    decision.conditions.allClustersCurrent
      ? {
          type: PoolCondition.AllClustersCurrent,
          status: "True",
          reason: Reason.AllClustersCurrent,
          message: "Every unclaimed cluster was built from the current template",
          observedGeneration: generation,
        }
      : {
          type: PoolCondition.AllClustersCurrent,
          status: "False",
          reason: Reason.StaleClusters,
          message: `${decision.counts.stale} unclaimed cluster(s) were built from an older template; they are replaced one at a time`,
          observedGeneration: generation,
        },
    now,
  );
  return list;
}

/**
 * Template fields accepted but not acted on yet: say so rather than ignore them. The template's hibernation and
 * the pool's hibernateAfter are acted on: the power controller applies them once a cluster is claimed.
 */
function fieldsCondition(
  conditions: Condition[],
  pool: ClusterPool,
  now: Date,
  generation?: number,
): Condition[] {
  const fields = fieldsNotActedOn(pool.spec.template, "spec.template");
  if (fields.length === 0) return removeCondition(conditions, PoolCondition.FieldsNotActedOn);
  return setCondition(
    conditions,
    {
      type: PoolCondition.FieldsNotActedOn,
      status: "True",
      reason: Reason.NotImplementedYet,
      message: notActedOnMessage(fields),
      observedGeneration: generation,
    },
    now,
  );
}

export function computePoolStatus(input: StatusInput<ClusterPool, PoolScope>): OwnedStatus {
  const { object: pool, now, generation } = input;
  const previous = pool.status;
  const decision = input.scope?.decision;
  const counts = decision?.counts;
  const pass = decision
    ? summary(pool, decision)
    : { done: false, reason: Reason.Evaluating, message: "Reading the pool's clusters and claims" };
  let conditions = setCondition(
    previous?.conditions as Condition[] | undefined,
    {
      type: PoolCondition.Populated,
      status: pass.done ? "True" : decision ? "False" : "Unknown",
      reason: pass.reason,
      message: pass.message,
      observedGeneration: generation,
    },
    now,
  );
  conditions = domainConditions(conditions, pool, decision, now, generation);
  conditions = fieldsCondition(conditions, pool, now, generation);
  conditions = summarize(
    conditions,
    {
      conditions: POOL_READY_CONDITIONS,
      ready: { reason: pass.reason, message: pass.message },
      error: input.error,
      deleting: input.deleting ? { message: "Deleting the pool's unclaimed clusters" } : undefined,
      observedGeneration: generation,
    },
    now,
  );
  return {
    conditions,
    size: counts?.size ?? previous?.size ?? 0,
    ready: counts?.ready ?? previous?.ready ?? 0,
    standby: counts?.standby ?? previous?.standby ?? 0,
    installing: counts?.installing ?? previous?.installing ?? 0,
    claimed: counts?.claimed ?? previous?.claimed ?? 0,
    pendingClaims: decision?.pendingClaims.length ?? previous?.pendingClaims ?? 0,
    templateHash: input.scope?.templateHash ?? templateHash(pool.spec.template),
    brokenReplacements: brokenReplacements(previous?.brokenReplacements, input.scope?.replacedAt ?? [], now),
    usage: input.scope ? storedUsage(input.scope.clusters) : previous?.usage,
  };
}

/**
 * The pool's clusters' cost counters summed as stored (each up to its own countedUntil): they move only when a
 * cluster's do, so the pool's status is not rewritten every pass. `slipway get pools` adds the time since.
 */
function storedUsage(clusters: PoolScope["clusters"]): NonNullable<ClusterPool["status"]>["usage"] {
  const total = { runningSeconds: 0, hibernatedSeconds: 0, savedSeconds: 0 };
  for (const cd of clusters) {
    const usage = cd.status?.power?.usage;
    total.runningSeconds += usage?.runningSeconds ?? 0;
    total.hibernatedSeconds += usage?.hibernatedSeconds ?? 0;
    total.savedSeconds += usage?.savedSeconds ?? 0;
  }
  return total;
}

/** The replacements of the last hour, this pass's added: what the next pass's budget counts. */
function brokenReplacements(previous: string[] | undefined, added: Date[], now: Date): string[] {
  const windowStart = now.getTime() - DEFAULT_REPLACEMENT_BUDGET.windowMs;
  return [...(previous ?? []), ...added.map((d) => d.toISOString())]
    .filter((t) => Date.parse(t) > windowStart)
    .slice(-32);
}
