import {
  clusterKeyOf,
  entryKey,
  entryLabeler,
  type BootstrapPolicy,
  type PolicyClusterStatus,
} from "../../api/index.js";
import { BootstrapPolicyReason as Reason } from "../../api/reasons.js";
import { setCondition, summarize, type Condition, type ConditionInput } from "../../runtime/conditions.js";
import type { StatusInput } from "../../runtime/reconciler.js";
import { safeMessage } from "../../runtime/redaction.js";
import type { OwnedStatus } from "../../runtime/status-patch.js";
import { clusterOrder } from "./phases.js";
import type { PolicyScope } from "./scope.js";
import { aggregateCompliance } from "./rounds.js";

export const PolicyCondition = { Evaluated: "Evaluated" } as const;
const READY_CONDITIONS = [PolicyCondition.Evaluated] as const;

type Domain = Omit<ConditionInput, "type" | "observedGeneration">;

function count(entries: PolicyClusterStatus[], state: PolicyClusterStatus["compliant"]): number {
  return entries.filter((e) => e.compliant === state).length;
}

/** Has every matching cluster been evaluated with the policy's current generation? */
function evaluated(scope: PolicyScope, entries: PolicyClusterStatus[]): Domain {
  const { policy } = scope;
  const namespace = policy.metadata.namespace;
  if (policy.spec.disabled)
    return {
      status: "True",
      reason: Reason.Disabled,
      message: "spec.disabled is true: the policy is not evaluated",
    };
  if (entries.length === 0)
    return {
      status: "True",
      reason: Reason.NoClustersSelected,
      message: `The selector matches no ClusterDeployment or HostedCluster in namespace ${namespace}: nothing to evaluate`,
    };
  const generation = policy.metadata.generation;
  const current = entries.filter((e) => e.lastEvaluated && e.generation === generation).length;
  const tally = `${count(entries, "Compliant")} compliant, ${count(entries, "NonCompliant")} non-compliant`;
  if (current === entries.length && scope.evaluating === 0 && scope.deferred === 0)
    return {
      status: "True",
      reason: Reason.Evaluated,
      message: `Evaluated on ${entries.length} cluster${entries.length === 1 ? "" : "s"}: ${tally}`,
    };
  const rollout = scope.rollout;
  if (rollout?.paused)
    return {
      status: "False",
      reason: Reason.RolloutPaused,
      message: safeMessage(
        `The rollout of generation ${generation} is paused at cluster ` +
          `${entryLabeler(entries)({ name: rollout.paused.cluster, kind: rollout.paused.kind })}: ` +
          `${rollout.paused.message}. ${rollout.done} of ${entries.length} clusters are Compliant with it; ` +
          `${rollout.held} wait and get it only once the spec changes (fix the template, or roll back to the ` +
          "previous version)",
        4000,
      ),
    };
  if (rollout && rollout.held + rollout.inProgress > 0 && current < entries.length)
    return {
      status: "False",
      reason: Reason.RollingOut,
      message:
        `Rolling generation ${generation} out at most ${rollout.limit} cluster${rollout.limit === 1 ? "" : "s"} ` +
        `at once: ${rollout.done} of ${entries.length} Compliant with it, ${rollout.inProgress} getting it, ` +
        `${rollout.held} waiting (${tally})`,
    };
  const waiting = [
    scope.evaluating && `${scope.evaluating} evaluation(s) queued or running`,
    scope.deferred && `${scope.deferred} held back by the rate limit`,
    scope.notRunning && `${scope.notRunning} cluster(s) not running yet`,
  ].filter(Boolean);
  return {
    status: "False",
    reason: Reason.Evaluating,
    message: `${current} of ${entries.length} clusters evaluated for generation ${generation} (${tally})${waiting.length ? `; ${waiting.join(", ")}` : ""}`,
  };
}

/** The one place a BootstrapPolicy's status is computed. */
export function computePolicyStatus(input: StatusInput<BootstrapPolicy, PolicyScope>): OwnedStatus {
  const { object, scope, now, error } = input;
  const observedGeneration = object.metadata.generation;
  if (!scope) return { ...(object.status ?? {}) };
  // A failed pass (a stall, Redis away) keeps the entries it had, for the clusters that still match.
  const keys = new Set(scope.clusters.map(clusterKeyOf));
  const entries = input.succeeded
    ? [...scope.entries.values()]
    : (object.status?.clusters ?? []).filter((e) => keys.has(entryKey(e)));
  entries.sort(clusterOrder);
  const domain = evaluated(scope, entries);
  let conditions = setCondition(
    (object.status?.conditions ?? []) as Condition[],
    { type: PolicyCondition.Evaluated, ...domain, observedGeneration },
    now,
  );
  conditions = summarize(
    conditions,
    {
      conditions: READY_CONDITIONS,
      ready: { reason: domain.reason, message: domain.message },
      error,
      observedGeneration,
    },
    now,
  );
  const rollout = input.succeeded ? scope.rollout?.status : object.status?.rollout;
  return {
    conditions,
    compliant: aggregateCompliance(entries),
    clusters: entries.map((e) => ({ ...e, message: e.message || undefined })),
    ...(rollout
      ? { rollout: rollout.message ? { ...rollout, message: safeMessage(rollout.message, 4000) } : rollout }
      : {}),
  };
}
