import {
  clusterKeyOf,
  clusterLabels,
  clusterView,
  DEFAULT_ENTRY_KIND,
  entryKey,
  type BootstrapPolicy,
  type ClusterObject,
  type PolicyClusterStatus,
} from "../../api/index.js";
import { BootstrapPolicyReason, PolicyEvaluationReason as Reason } from "../../api/reasons.js";
import { parseDuration } from "../../api/duration.js";
import { TerminalError } from "../../errors/index.js";
import { jobId } from "../../queue/job.js";
import { conditionTime } from "../../runtime/conditions.js";
import { matchesLabelSelector, type LabelSelectorInput } from "../../runtime/label-selector.js";
import { safeMessage } from "../../runtime/redaction.js";
import type { ReconcileContext, ReconcileResult } from "../../runtime/reconciler.js";
import { POLICY_EVALUATION_JOB, POLICY_EVALUATION_OPERATION, type PolicyEvaluationJobData } from "./job.js";
import { BUILT_IN_PROTECTED_SET, protectedTemplates, protectedTemplatesMessage } from "./protected.js";
import { policyAccessOf } from "../platform.js";
import { DEFAULT_EVALUATION_INTERVAL_MS, evaluationRound } from "./rounds.js";
import { decideRollout, type RolloutCluster } from "./rollout.js";
import type { PolicyControllerSettings, PolicyScope } from "./scope.js";
import { templateProblem } from "./templates.js";

/**
 * Whether a BootstrapPolicy selects a cluster, a ClusterDeployment or a HostedCluster (its own namespace only;
 * clusterLabels says which labels).
 */
export function selects(policy: BootstrapPolicy, cd: ClusterObject): boolean {
  if (cd.metadata.namespace !== policy.metadata.namespace) return false;
  return matchesLabelSelector(clusterLabels(cd), (policy.spec.clusterSelector ?? {}) as LabelSelectorInput);
}

/** A cluster an evaluation can reach: it runs and its kubeconfig Secret is written (simulated ones need none). */
export function clusterRuns(cd: ClusterObject): boolean {
  return (
    !cd.metadata.deletionTimestamp &&
    cd.status?.powerState === "Running" &&
    Boolean(cd.status.provisionedAt) &&
    (policyAccessOf(cd).via === "simulation" || Boolean(clusterView(cd).adminKubeconfigSecretName))
  );
}

export function buildPolicyScope(
  policy: BootstrapPolicy,
  context: ReconcileContext,
  settings: PolicyControllerSettings,
): PolicyScope {
  const clusters = settings
    .clustersIn(policy.metadata.namespace!)
    .filter((cd) => !cd.metadata.deletionTimestamp && selects(policy, cd))
    .sort((a, b) => clusterOrder(clusterEntry(a), clusterEntry(b)));
  return {
    policy,
    context,
    settings,
    clusters,
    entries: new Map(),
    evaluating: 0,
    deferred: 0,
    notRunning: 0,
  };
}

const LOOKUP_BATCH = 100;

/** What names a cluster in the policy's status: its kind and name (a ClusterDeployment and a HostedCluster may share one). */
function clusterEntry(cd: ClusterObject): Pick<PolicyClusterStatus, "kind" | "name" | "namespace"> {
  return { kind: clusterView(cd).kind, name: cd.metadata.name!, namespace: cd.metadata.namespace };
}

/** Entries and clusters by name, then kind. */
export function clusterOrder(a: { kind?: string; name: string }, b: { kind?: string; name: string }): number {
  return a.name.localeCompare(b.name) || entryKey(a).localeCompare(entryKey(b));
}

/** Keeps the cluster's entry as it is, or starts it as Pending with `message`. */
function keep(
  scope: PolicyScope,
  cd: ClusterObject,
  entry: PolicyClusterStatus | undefined,
  message: string,
) {
  scope.entries.set(clusterKeyOf(cd), entry ?? { ...clusterEntry(cd), compliant: "Pending", message });
}

function intervalMs(policy: BootstrapPolicy, settings: PolicyControllerSettings): number {
  const interval = policy.spec.evaluationInterval;
  return interval ? parseDuration(interval) : (settings.defaultIntervalMs ?? DEFAULT_EVALUATION_INTERVAL_MS);
}

/**
 * Queues each matching cluster's due evaluation (its first, after a policy change, after a resume, every
 * interval) and takes in the ones that finished. One job per policy, cluster and round, with a deterministic id.
 */
export async function reconcilePolicy(scope: PolicyScope): Promise<ReconcileResult> {
  const { policy, context, settings } = scope;
  // Entries by kind and name; one written before entries had a kind is a ClusterDeployment's (entryKey).
  const previous = new Map(
    (policy.status?.clusters ?? []).map((e) => [entryKey(e), { ...e, kind: e.kind ?? DEFAULT_ENTRY_KIND }]),
  );
  if (policy.spec.disabled) {
    for (const cd of scope.clusters) {
      const entry = previous.get(clusterKeyOf(cd));
      if (entry) scope.entries.set(clusterKeyOf(cd), entry);
    }
    return {};
  }
  const problem = templateProblem(policy.spec.objectTemplates);
  if (problem) throw new TerminalError(problem.reason, problem.message);
  // What admission could not see (the administrator's additions, policies stored before its rules): nothing of
  // the policy is done, as admission would have refused all of it.
  const destructive = protectedTemplates(policy.spec, settings.protectedObjects ?? BUILT_IN_PROTECTED_SET);
  if (destructive.length > 0)
    throw new TerminalError(BootstrapPolicyReason.ProtectedObject, protectedTemplatesMessage(destructive));

  const generation = policy.metadata.generation ?? 0;
  const every = intervalMs(policy, settings);
  let nextDue: number | undefined;
  const due: { cd: ClusterObject; data: PolicyEvaluationJobData; suffix: string; why: string }[] = [];
  for (const cd of scope.clusters) {
    const name = cd.metadata.name!;
    const entry = previous.get(clusterKeyOf(cd));
    if (!clusterRuns(cd)) {
      scope.notRunning += 1;
      keep(scope, cd, entry, `${Reason.WaitingForCluster}: evaluated once the cluster runs`);
      continue;
    }
    const round = evaluationRound({
      entry,
      policyGeneration: generation,
      lastResumedAt: cd.status?.lastResumedAt,
      intervalMs: every,
      now: context.now,
    });
    if (!round.due) {
      keep(scope, cd, entry, "");
      nextDue = Math.min(nextDue ?? Infinity, round.nextAt.getTime());
      continue;
    }
    const data: PolicyEvaluationJobData = {
      type: POLICY_EVALUATION_JOB,
      kind: "BootstrapPolicy",
      namespace: policy.metadata.namespace!,
      name: policy.metadata.name!,
      uid: policy.metadata.uid!,
      generation,
      operation: POLICY_EVALUATION_OPERATION,
      clusterName: name,
      clusterUid: cd.metadata.uid!,
      clusterKind: clusterView(cd).kind,
    };
    due.push({ cd, data, suffix: `${cd.metadata.uid}.${round.key}`, why: round.why });
  }
  // Look the due rounds' jobs up a batch at a time: a change on 1,000 clusters is 1,000 lookups per pass.
  const jobs: Awaited<ReturnType<typeof settings.queue.lookup>>[] = [];
  for (let i = 0; i < due.length; i += LOOKUP_BATCH) {
    const batch = due.slice(i, i + LOOKUP_BATCH);
    jobs.push(...(await Promise.all(batch.map((d) => settings.queue.lookup(jobId(d.data, d.suffix))))));
  }
  // Finished evaluations first: the rollout counts what they found.
  const finished = new Set<number>();
  for (const [index, { cd }] of due.entries()) {
    const job = jobs[index]!;
    if (job.state === "completed" && job.result && !job.result.skipped) {
      const r = job.result;
      scope.entries.set(clusterKeyOf(cd), {
        ...clusterEntry(cd),
        compliant: r.compliant,
        message: r.message,
        lastEvaluated: r.evaluatedAt,
        generation: r.policyGeneration,
      });
      finished.add(index);
    } else if (job.state === "failed") {
      scope.entries.set(clusterKeyOf(cd), {
        ...clusterEntry(cd),
        compliant: "NonCompliant",
        message: safeMessage(`${Reason.EvaluationFailed}: ${job.failedReason ?? "unknown error"}`, 4000),
        lastEvaluated: conditionTime(job.finishedAt ?? context.now),
        generation,
      });
      finished.add(index);
    }
  }
  // A new generation reaches the clusters through spec.rollout's window (enforce only); the rest as before.
  const gets = (why: string) => why === "first" || why === "policyChanged";
  const dueAt = new Map(due.map((d, i) => [d.cd, i]));
  const rollout = decideRollout({
    spec: policy.spec,
    generation,
    previous: policy.status?.rollout,
    clusters: scope.clusters.map((cd): RolloutCluster => {
      const key = clusterKeyOf(cd);
      const at = dueAt.get(cd);
      const state = at === undefined || finished.has(at) ? undefined : jobs[at]!.state;
      const newRound = at !== undefined && gets(due[at]!.why);
      return {
        kind: clusterView(cd).kind,
        name: cd.metadata.name!,
        entry: scope.entries.get(key) ?? previous.get(key),
        inFlight: newRound && (state === "waiting" || state === "active" || state === "delayed"),
        waiting: newRound && state === "missing",
        running: clusterRuns(cd),
        conditions: cd.status?.conditions as RolloutCluster["conditions"],
      };
    }),
    now: context.now,
  });
  scope.rollout = rollout.active ? rollout : undefined;
  const mayQueue = (cd: ClusterObject, why: string) => !gets(why) || rollout.queue.has(clusterKeyOf(cd));
  const missing = due.filter((d, i) => jobs[i]!.state === "missing" && mayQueue(d.cd, d.why)).length;
  let allowed = settings.limiter.take(context.key, missing, context.now);
  for (const [index, { cd, data, suffix, why }] of due.entries()) {
    if (finished.has(index)) continue;
    const job = jobs[index]!;
    const name = cd.metadata.name!;
    const entry = previous.get(clusterKeyOf(cd));
    if (job.state === "missing" && !mayQueue(cd, why)) {
      keep(
        scope,
        cd,
        entry,
        `${Reason.WaitingForRollout}: gets generation ${generation} once spec.rollout lets it`,
      );
    } else if (job.state === "missing") {
      if (allowed <= 0) {
        scope.deferred += 1;
      } else {
        context.log.debug({ jobId: job.id, cluster: name, why }, "Enqueuing an evaluation");
        await settings.queue.enqueue(data, suffix);
        allowed -= 1;
        scope.evaluating += 1;
      }
      keep(scope, cd, entry, "evaluation queued");
    } else {
      // Waiting, delayed or running; or finished without evaluating (the cluster stopped meanwhile): its next
      // change (a resume) starts another round.
      if (job.state !== "completed") scope.evaluating += 1;
      keep(scope, cd, entry, job.state === "active" ? "evaluation running" : "evaluation queued");
    }
  }
  if (scope.deferred > 0) return { requeueAfter: 1_000 };
  // Job events reconcile the policy as soon as an evaluation ends; this is the safety net.
  if (scope.evaluating > 0) return { requeueAfter: 30_000 };
  return nextDue !== undefined ? { requeueAfter: Math.max(1_000, nextDue - context.now.getTime()) } : {};
}
