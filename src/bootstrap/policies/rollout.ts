/**
 * Staged rollout of a new generation of an enforce policy (spec.rollout): a pure decision per controller pass.
 *
 * OCM rolls a policy out progressively with Placement's decisionStrategy and a rolloutStrategy (Progressive,
 * ProgressivePerGroup) with maxConcurrency and maxFailures; Slipway keeps the part that stops a destructive edit
 * from reaching the fleet at once:
 *
 * - a cluster "gets" the current generation when its first evaluation of it (which, with enforce, is its enforce)
 *   is queued; until then its entry keeps the previous generation's verdict, so Bootstrapped does not flip;
 * - at most `maxConcurrent` clusters are getting it at once: queued or running, or evaluated and not Compliant
 *   (with pauseOnFailure false a failed cluster frees its place); the next waits until one is Compliant;
 * - the first cluster that fails after it got it (NonCompliant, its evaluation failed, or its Ready or Joined
 *   turned False since that evaluation) pauses the rollout (pauseOnFailure, the default): no other cluster gets
 *   this generation. The pause is kept in status.rollout and holds until the generation changes (any spec edit:
 *   the fix, a rollback, or a change of spec.rollout);
 * - clusters that already have the generation keep their evaluations (interval, resume) as without a rollout;
 * - inform changes nothing: it is never held back.
 */
import {
  entryKey,
  type BootstrapPolicySpec,
  type ClusterKind,
  type PolicyClusterStatus,
  type PolicyRollout,
  type PolicyRolloutStatus,
} from "../../api/index.js";
import { BootstrapReasons, ClusterDeploymentReason } from "../../api/reasons.js";
import { conditionTime, type Condition } from "../../runtime/conditions.js";

export interface RolloutCluster {
  /** A ClusterDeployment's when absent: a cluster is its kind and name (entryKey). */
  kind?: ClusterKind;
  name: string;
  /** The cluster's entry as this pass leaves it (finished evaluations taken in). */
  entry?: PolicyClusterStatus;
  /** Its evaluation of the current generation is queued or running. */
  inFlight: boolean;
  /** Due for its first evaluation of the current generation, with no job yet: it waits for a place. */
  waiting: boolean;
  /** It runs (Running, provisioned, reachable): a cluster that does not run cannot fail a rollout. */
  running: boolean;
  /** The ClusterDeployment's conditions (Ready, Joined, Reconciling). */
  conditions?: readonly Condition[];
}

export interface RolloutInput {
  spec: Pick<BootstrapPolicySpec, "remediationAction" | "rollout">;
  generation: number;
  /** status.rollout as stored: a pause of this generation holds. */
  previous?: PolicyRolloutStatus;
  /** Every selected cluster. */
  clusters: readonly RolloutCluster[];
  now: Date;
}

export interface RolloutDecision {
  /** spec.rollout applies (enforce with a rollout). */
  active: boolean;
  /** Clusters at most getting the generation at once. */
  limit: number;
  /** Waiting clusters (by entryKey: kind and name) that may have their evaluation queued now. */
  queue: ReadonlySet<string>;
  paused?: { cluster: string; kind?: ClusterKind; message: string; at: string };
  /** Clusters whose entry is Compliant with the current generation. */
  done: number;
  /** Clusters getting it: queued or running, or evaluated and not Compliant. */
  inProgress: number;
  /** Clusters waiting for a place (or for the pause to end). */
  held: number;
  /** What status.rollout says. */
  status?: PolicyRolloutStatus;
}

/** maxConcurrent as a number of clusters: a percentage of `selected`, rounded down, at least 1. */
export function rolloutLimit(maxConcurrent: PolicyRollout["maxConcurrent"], selected: number): number {
  if (typeof maxConcurrent === "number") return Math.max(1, Math.floor(maxConcurrent));
  const percent = Number.parseInt(maxConcurrent, 10);
  if (!Number.isFinite(percent)) return 1;
  return Math.max(1, Math.floor((selected * percent) / 100));
}

/** Ready reasons that are the policies' own verdict (or a cluster not running), not a break of the cluster. */
const NOT_A_BREAK = new Set<string>(Object.keys(BootstrapReasons));
/** Joined reasons that are not a break: registration disabled, a hibernating cluster, not registered yet. */
const JOINED_NOT_A_BREAK = new Set<string>([
  ClusterDeploymentReason.RegistrationDisabled,
  ClusterDeploymentReason.Hibernating,
  ClusterDeploymentReason.WaitingForProvisioning,
]);

/** The entry's lastEvaluated, to the second, as conditions carry their times. */
function evaluatedAt(entry: PolicyClusterStatus): number | undefined {
  const at = Date.parse(entry.lastEvaluated ?? "");
  return Number.isFinite(at) ? Math.floor(at / 1000) * 1000 : undefined;
}

/**
 * Why a cluster that has the current generation counts as failed, or undefined: its entry is NonCompliant, or
 * its Joined or Ready turned False (or Joined Unknown) at or after that evaluation while it runs.
 */
export function failureOf(cluster: RolloutCluster, generation: number): string | undefined {
  const entry = cluster.entry;
  if (!entry || entry.generation !== generation || !entry.lastEvaluated) return undefined;
  if (entry.compliant === "NonCompliant")
    return `NonCompliant after it got generation ${generation}: ${entry.message ?? ""}`;
  if (!cluster.running) return undefined;
  const since = evaluatedAt(entry);
  if (since === undefined) return undefined;
  const after = (c: Condition | undefined) => c !== undefined && Date.parse(c.lastTransitionTime) >= since;
  const get = (type: string) => cluster.conditions?.find((c) => c.type === type);
  const joined = get("Joined");
  if (joined && joined.status !== "True" && !JOINED_NOT_A_BREAK.has(joined.reason) && after(joined))
    return `Joined turned ${joined.status} (${joined.reason}: ${joined.message}) after it got generation ${generation}`;
  const ready = get("Ready");
  const reconciling = get("Reconciling")?.status === "True";
  if (ready?.status === "False" && !reconciling && !NOT_A_BREAK.has(ready.reason) && after(ready))
    return `Ready turned False (${ready.reason}: ${ready.message}) after it got generation ${generation}`;
  return undefined;
}

/** Clusters never evaluated go first (they wait for Bootstrapped before anyone uses them), then by name. */
function order(a: RolloutCluster, b: RolloutCluster): number {
  const fresh = Number(!!a.entry?.lastEvaluated) - Number(!!b.entry?.lastEvaluated);
  return fresh !== 0 ? fresh : a.name.localeCompare(b.name) || entryKey(a).localeCompare(entryKey(b));
}

export function decideRollout(input: RolloutInput): RolloutDecision {
  const { spec, generation, previous, clusters, now } = input;
  const everyone = new Set(clusters.filter((c) => c.waiting).map(entryKey));
  const rollout = spec.rollout;
  if (spec.remediationAction !== "enforce" || !rollout)
    return { active: false, limit: clusters.length, queue: everyone, done: 0, inProgress: 0, held: 0 };

  const limit = rolloutLimit(rollout.maxConcurrent, clusters.length);
  const pauseOnFailure = rollout.pauseOnFailure ?? true;
  const has = (c: RolloutCluster) => c.entry?.generation === generation && !!c.entry.lastEvaluated;
  const done = clusters.filter((c) => has(c) && c.entry?.compliant === "Compliant").length;
  const failures = clusters
    .map((c) => ({ cluster: c, cause: failureOf(c, generation) }))
    .filter((f): f is { cluster: RolloutCluster; cause: string } => f.cause !== undefined)
    .sort((a, b) => order({ ...a.cluster, entry: undefined }, { ...b.cluster, entry: undefined }));
  const inWindow = clusters.filter(
    (c) =>
      c.inFlight ||
      (pauseOnFailure && has(c) && c.entry?.compliant !== "Compliant") ||
      (pauseOnFailure && failures.some((f) => f.cluster === c)),
  ).length;

  // Once every selected cluster has the generation there is nothing left to hold back: no pause.
  const complete = clusters.every(has);
  let paused: RolloutDecision["paused"];
  if (complete) paused = undefined;
  else if (previous?.generation === generation && previous.pausedCluster)
    paused = {
      cluster: previous.pausedCluster,
      ...(previous.pausedClusterKind ? { kind: previous.pausedClusterKind } : {}),
      message: previous.message ?? "",
      at: previous.pausedAt ?? conditionTime(now),
    };
  else if (pauseOnFailure && failures.length > 0) {
    const first = failures[0]!;
    paused = {
      cluster: first.cluster.name,
      ...(first.cluster.kind ? { kind: first.cluster.kind } : {}),
      message: first.cause,
      at: conditionTime(now),
    };
  }

  const candidates = clusters.filter((c) => c.waiting).sort(order);
  const free = paused ? 0 : Math.max(0, limit - inWindow);
  const queue = new Set(candidates.slice(0, free).map(entryKey));
  return {
    active: true,
    limit,
    queue,
    ...(paused ? { paused } : {}),
    done,
    inProgress: inWindow + queue.size,
    held: candidates.length - queue.size,
    status: {
      generation,
      ...(paused
        ? {
            pausedCluster: paused.cluster,
            ...(paused.kind ? { pausedClusterKind: paused.kind } : {}),
            pausedAt: paused.at,
            message: paused.message,
          }
        : {}),
    },
  };
}
