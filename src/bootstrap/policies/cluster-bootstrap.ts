import { createHash } from "node:crypto";
import {
  clusterKeyOf,
  clusterResources,
  entryKey,
  type BootstrapPolicy,
  type BootstrapStatus,
  type ClusterKind,
  type ClusterObject,
} from "../../api/index.js";
import { BootstrapReason as Reason } from "../../api/reasons.js";
import { bootstrapPolicyResource } from "../../api/resources.js";
import { setCondition, type Condition, type ConditionInput } from "../../runtime/conditions.js";
import { clusterControllerName, type ControllerRegistration } from "../../runtime/controller.js";
import { controllerFieldManager } from "../../runtime/reconcile-runner.js";
import type { Reconciler, StatusInput } from "../../runtime/reconciler.js";
import type { KubeObject } from "../../runtime/resource.js";
import type { OwnedStatus } from "../../runtime/status-patch.js";
import { clusterRuns, selects } from "./phases.js";

export const CLUSTER_BOOTSTRAP_CONTROLLER = "cluster-bootstrap";
export const BOOTSTRAPPED_CONDITION = "Bootstrapped";
const MAX_NAMED = 20;

interface ClusterBootstrapScope {
  cd: ClusterObject;
  /** The policies (not disabled) that select the cluster, by name. */
  policies: BootstrapPolicy[];
}

type Verdict = Omit<ConditionInput, "type"> & { bootstrap: BootstrapStatus };

/**
 * Bootstrapped, from the entries the selecting policies hold for this cluster: True when every one reports it
 * Compliant (its latest verdict, also while a new generation is evaluated), or when none selects it. A verdict from
 * before the cluster's last resume does not count: a resumed cluster is bootstrapped again only once each policy
 * has evaluated it since (so Ready, a claim and a failover wait for "compliant again", a matter of seconds).
 */
export function bootstrapVerdict(cd: ClusterObject, policies: readonly BootstrapPolicy[]): Verdict {
  const key = clusterKeyOf(cd);
  const hash = createHash("sha256")
    .update(policies.map((p) => `${p.metadata.name}@${p.metadata.generation}`).join(","))
    .digest("hex")
    .slice(0, 16);
  if (policies.length === 0) {
    const message = `No BootstrapPolicy in namespace ${cd.metadata.namespace} selects this cluster: nothing to bootstrap`;
    return {
      status: "True",
      reason: Reason.NoPoliciesSelect,
      message,
      bootstrap: { policies: 0, compliantPolicies: 0, policiesHash: hash, message },
    };
  }
  const entries = policies.map((p) => ({
    policy: p,
    entry: sinceResume(
      cd,
      p.status?.clusters?.find((e) => entryKey(e) === key),
    ),
  }));
  // The latest verdict counts, also while a newer generation of the policy is being evaluated: a policy edit does
  // not flip Bootstrapped (and Ready) of every cluster it selects until each evaluation says otherwise.
  const compliant = entries.filter(({ entry }) => entry?.compliant === "Compliant");
  const nonCompliant = entries.filter(({ entry }) => entry?.compliant === "NonCompliant");
  const waiting = entries.filter((e) => !compliant.includes(e) && !nonCompliant.includes(e));
  const evaluated = waiting.length === 0 ? oldestEvaluation(entries.map(({ entry }) => entry)) : undefined;
  const bootstrap = (message: string): BootstrapStatus => ({
    policies: policies.length,
    compliantPolicies: compliant.length,
    policiesHash: hash,
    waitingFor: [...nonCompliant, ...waiting].slice(0, MAX_NAMED).map(({ policy }) => policy.metadata.name!),
    ...(evaluated ? { evaluatedAt: evaluated } : {}),
    message,
  });
  if (compliant.length === policies.length) {
    const message = `Compliant with ${policies.length} BootstrapPolic${policies.length === 1 ? "y" : "ies"}: ${names(compliant)}`;
    return { status: "True", reason: Reason.PoliciesCompliant, message, bootstrap: bootstrap(message) };
  }
  if (nonCompliant.length > 0) {
    const first = nonCompliant[0]!;
    const message = `NonCompliant with ${names(nonCompliant)}; ${first.policy.metadata.name}: ${first.entry?.message ?? ""}`;
    return {
      status: "False",
      reason: Reason.PoliciesNonCompliant,
      message: message.slice(0, 4000),
      bootstrap: bootstrap(message.slice(0, 4000)),
    };
  }
  const running = clusterRuns(cd);
  const message = running
    ? `Waiting for the evaluation of ${names(waiting)} (${compliant.length} of ${policies.length} compliant)`
    : `The cluster does not run yet; ${names(waiting)} will evaluate it once it does`;
  return {
    status: running ? "Unknown" : "False",
    reason: running ? Reason.AwaitingEvaluation : Reason.ClusterNotRunning,
    message,
    bootstrap: bootstrap(message),
  };
}

function oldestEvaluation(entries: readonly ({ lastEvaluated?: string } | undefined)[]): string | undefined {
  const times = entries.map((e) => e?.lastEvaluated).filter((t): t is string => t !== undefined);
  return times.length === entries.length ? times.sort()[0] : undefined;
}

/** The entry, unless it was evaluated before the cluster's last resume (times compared to the second). */
function sinceResume<E extends { lastEvaluated?: string }>(
  cd: ClusterObject,
  entry: E | undefined,
): E | undefined {
  const resumedAt = Date.parse(cd.status?.lastResumedAt ?? "");
  if (!entry || !Number.isFinite(resumedAt)) return entry;
  const evaluatedAt = Date.parse(entry.lastEvaluated ?? "");
  return Number.isFinite(evaluatedAt) && evaluatedAt >= Math.floor(resumedAt / 1000) * 1000
    ? entry
    : undefined;
}

function names(list: readonly { policy: BootstrapPolicy }[]): string {
  const shown = list.slice(0, MAX_NAMED).map(({ policy }) => policy.metadata.name);
  return shown.join(", ") + (list.length > MAX_NAMED ? ` and ${list.length - MAX_NAMED} more` : "");
}

function computeBootstrapStatus(input: StatusInput<ClusterObject, ClusterBootstrapScope>): OwnedStatus {
  const { object, scope, now } = input;
  if (!scope) return {};
  const { bootstrap, ...condition } = bootstrapVerdict(scope.cd, scope.policies);
  const previous = (object.status?.conditions ?? []) as Condition[];
  const conditions = setCondition(
    previous,
    { type: BOOTSTRAPPED_CONDITION, ...condition, observedGeneration: object.metadata.generation },
    now,
  ).filter((c) => c.type === BOOTSTRAPPED_CONDITION);
  return { conditions, bootstrap };
}

export interface ClusterBootstrapOptions {
  /** The policies of a namespace, from the shared informer's cache. */
  policiesIn(namespace: string): BootstrapPolicy[];
  concurrency?: number;
  /** The cluster kind this instance writes Bootstrapped on (one instance per kind, the same code). */
  kind?: ClusterKind;
}

/**
 * Writes Bootstrapped and status.bootstrap on every cluster of its kind (ClusterDeployment or HostedCluster), under
 * its own field manager and only those: the kind's own controller owns the rest (and observedGeneration). Pure bookkeeping over the
 * policies' status; the evaluations are the policy controller's jobs.
 */
export function clusterBootstrapRegistration(
  options: ClusterBootstrapOptions,
): ControllerRegistration<ClusterObject, ClusterBootstrapScope> {
  const kind = options.kind ?? "ClusterDeployment";
  return {
    name: clusterControllerName(CLUSTER_BOOTSTRAP_CONTROLLER, kind),
    fieldManager: controllerFieldManager(CLUSTER_BOOTSTRAP_CONTROLLER),
    watches: {
      primary: clusterResources[kind],
      secondary: [
        {
          resource: bootstrapPolicyResource,
          // The clusters it selects, and those it held entries for (a selector change drops them).
          mapToPrimary: (object: KubeObject) => {
            const policy = object as BootstrapPolicy;
            const namespace = policy.metadata?.namespace;
            if (!namespace) return [];
            return (policy.status?.clusters ?? []).map((e) => `${namespace}/${e.name}`);
          },
        },
      ],
    },
    reconciler: {
      // observedGeneration is the ClusterDeployment controller's.
      writesObservedGeneration: false,
      buildScope: (cd) => ({
        cd,
        policies: options
          .policiesIn(cd.metadata.namespace!)
          .filter((p) => !p.spec.disabled && !p.metadata.deletionTimestamp && selects(p, cd))
          .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!)),
      }),
      reconcileNormal: async () => ({}),
      reconcileDelete: async () => ({}),
      computeStatus: computeBootstrapStatus,
    } satisfies Reconciler<ClusterObject, ClusterBootstrapScope>,
    concurrency: options.concurrency ?? 4,
  };
}
