import {
  DEFAULT_ENTRY_KIND,
  entryKey,
  type ClusterKind,
  type FailoverClusterState,
  type FailoverClusterStatus,
  type FailoverPhase,
  type PowerState,
  type ResumeReadiness,
} from "../api/index.js";
import { ClusterFailoverReason as Reason } from "../api/reasons.js";

/**
 * The failover's decisions as pure functions over plain views: which standby clusters to resume now, which are
 * Ready, which are given up on, and where the failover stands. The controller maps API objects into these
 * shapes and acts on the plan; the plan never sees a Kubernetes object, so it is tested from literals.
 */

/** One cluster of the namespace: a ClusterDeployment and a HostedCluster may share a name. */
export interface ClusterRef {
  kind: ClusterKind;
  name: string;
}

export interface FailoverClusterView extends ClusterRef {
  /** metadata.deletionTimestamp is set. */
  deleting: boolean;
  desiredPowerState: PowerState;
  /** Value of the slipway.dev/failover annotation: the failover holding the cluster running. */
  heldBy?: string;
  readiness: ResumeReadiness;
  /** The integer value of the failover's priority label or annotation. */
  priority?: number;
}

export interface PlanInput {
  /** This failover's name (what the annotation says on the clusters it resumed). */
  name: string;
  maxConcurrent: number;
  resumeTimeoutMs: number;
  /** spec.cancel, or the failover is being deleted: nothing more is resumed. */
  cancelled: boolean;
  /** The standby pool was deleted after the failover started: clusters still waiting are given up. */
  poolDeleted: boolean;
  /** The entries of the last pass (status.clusters): the fixed membership, in resume order. */
  entries: readonly FailoverClusterStatus[];
  /** The standby clusters that exist now, by key (entryKey: kind and name). */
  clusters: ReadonlyMap<string, FailoverClusterView>;
  /**
   * Clusters (by key) this controller asked to run on earlier passes whose status write the cache may not show
   * yet.
   */
  requested: ReadonlyMap<string, string>;
  now: Date;
}

export interface FailoverCounts {
  total: number;
  pending: number;
  resuming: number;
  ready: number;
  failed: number;
  cancelled: number;
}

export interface FailoverPlan {
  entries: FailoverClusterStatus[];
  /** Clusters to ask to run (spec.powerState Running + annotation), including ones to ask again. */
  toResume: ClusterRef[];
  /** Entries that became Ready or Failed on this pass, for Events. */
  newlyReady: FailoverClusterStatus[];
  newlyFailed: FailoverClusterStatus[];
  counts: FailoverCounts;
  /** Running, Cancelling, or an end: Succeeded, PartiallyFailed, Failed, Cancelled. */
  phase: FailoverPhase;
}

/**
 * The clusters (keys: kind and name) both the standby and the primary set name, sorted: a failover would resume
 * them and then, as its failback part, have to hibernate them. It cannot do both, so it does neither (Stalled,
 * StandbyPrimaryOverlap).
 */
export function standbyPrimaryOverlap(standby: readonly string[], primary: readonly string[]): string[] {
  const inPrimary = new Set(primary);
  return [...new Set(standby.filter((key) => inPrimary.has(key)))].sort();
}

/** What a person reads about an overlap: the clusters (the first five, then a count) and what to change. */
export function overlapMessage(overlap: readonly string[]): string {
  const shown = overlap.slice(0, 5).join(", ");
  const more = overlap.length > 5 ? ` and ${overlap.length - 5} more` : "";
  return (
    `spec.standby and spec.primary both name ${overlap.length === 1 ? "cluster" : "clusters"} ${shown}${more}: ` +
    "the failover would resume them and then hibernate them. Nothing was resumed or hibernated; change the " +
    "clusters' labels or the selectors so no cluster is in both sets, or create a ClusterFailover without primary"
  );
}

/** Millisecond ISO time: the RTO is measured in fractions of a second. */
export const failoverTime = (date: Date): string => date.toISOString();

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The standby clusters in resume order: higher priority first, those without one last, then by name and kind. */
export function resumeOrder(clusters: readonly FailoverClusterView[]): FailoverClusterView[] {
  return [...clusters].sort(
    (a, b) =>
      (b.priority ?? Number.NEGATIVE_INFINITY) - (a.priority ?? Number.NEGATIVE_INFINITY) ||
      byText(a.name, b.name) ||
      byText(a.kind, b.kind),
  );
}

/** The entries a failover starts with: every standby cluster Pending, in resume order. */
export function initialEntries(clusters: readonly FailoverClusterView[]): FailoverClusterStatus[] {
  return resumeOrder(clusters).map((c) => ({
    kind: c.kind,
    name: c.name,
    state: "Pending",
    ...(c.priority !== undefined ? { priority: c.priority } : {}),
  }));
}

function ended(
  entry: FailoverClusterStatus,
  state: FailoverClusterState,
  reason: string,
  message: string,
): FailoverClusterStatus {
  return { ...entry, state, reason, message };
}

/** One entry's next state, without starting anything (slots are handed out afterwards). */
function advance(input: PlanInput, entry: FailoverClusterStatus): FailoverClusterStatus {
  if (entry.state === "Ready" || entry.state === "Failed" || entry.state === "Cancelled") return entry;
  const cluster = input.clusters.get(entryKey(entry));
  if (!cluster || cluster.deleting) {
    return input.poolDeleted && entry.state === "Pending"
      ? ended(
          entry,
          "Failed",
          Reason.PoolDeleted,
          "the standby pool was deleted before the cluster was resumed",
        )
      : ended(entry, "Failed", Reason.ClusterDeleted, "the cluster was deleted during the failover");
  }
  const requestedAt = entry.resumeRequestedAt ?? input.requested.get(entryKey(entry));
  // A cluster carrying this failover's annotation and asked to run was asked by it, even if the status write
  // that recorded it was lost.
  const asked =
    requestedAt !== undefined || (cluster.heldBy === input.name && cluster.desiredPowerState === "Running");
  if (cluster.readiness.state === "Ready") {
    return {
      ...entry,
      state: "Ready",
      ...(requestedAt ? { resumeRequestedAt: requestedAt } : { wasRunning: true }),
      readyAt: failoverTime(input.now),
      // Kept short: a failover of thousands of clusters writes every entry on every pass.
      message: undefined,
      reason: undefined,
    };
  }
  if (!asked) {
    if (input.cancelled)
      return ended(
        entry,
        "Cancelled",
        Reason.Cancelled,
        "the failover was cancelled; the cluster stays hibernated",
      );
    if (input.poolDeleted)
      return ended(
        entry,
        "Failed",
        Reason.PoolDeleted,
        "the standby pool was deleted before the cluster was resumed",
      );
    return { ...entry, state: "Pending" };
  }
  const since = requestedAt ?? failoverTime(input.now);
  if (cluster.readiness.state === "Stalled")
    return ended(
      { ...entry, resumeRequestedAt: since },
      "Failed",
      Reason.ClusterStalled,
      `${cluster.readiness.reason}: ${cluster.readiness.message}`,
    );
  if (input.now.getTime() - new Date(since).getTime() >= input.resumeTimeoutMs)
    return ended(
      { ...entry, resumeRequestedAt: since },
      "Failed",
      Reason.ResumeTimeout,
      `not Ready ${Math.round(input.resumeTimeoutMs / 1000)}s after it was asked to run: ${cluster.readiness.message}`,
    );
  return { ...entry, state: "Resuming", resumeRequestedAt: since, message: cluster.readiness.message };
}

export function countEntries(entries: readonly FailoverClusterStatus[]): FailoverCounts {
  const count = (state: FailoverClusterState) => entries.filter((e) => e.state === state).length;
  return {
    total: entries.length,
    pending: count("Pending"),
    resuming: count("Resuming"),
    ready: count("Ready"),
    failed: count("Failed"),
    cancelled: count("Cancelled"),
  };
}

function phaseOf(input: PlanInput, counts: FailoverCounts): FailoverPhase {
  const active = counts.pending + counts.resuming;
  if (input.cancelled) return active > 0 ? "Cancelling" : "Cancelled";
  if (active > 0) return "Running";
  if (counts.failed === 0) return "Succeeded";
  return counts.ready > 0 ? "PartiallyFailed" : "Failed";
}

/**
 * One pass: advance every entry, then hand the free slots (maxConcurrent minus those resuming) to the Pending
 * entries in order. A resuming cluster whose power state was turned back (a pool pass that had not seen the
 * annotation yet) is asked again.
 */
export function planFailover(input: PlanInput): FailoverPlan {
  const before = new Map(input.entries.map((e) => [entryKey(e), e.state]));
  const entries = input.entries.map((entry) => advance(input, entry));
  let free = input.maxConcurrent - entries.filter((e) => e.state === "Resuming").length;
  const toResume: ClusterRef[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const cluster = input.clusters.get(entryKey(entry));
    if (entry.state === "Resuming" && cluster && cluster.desiredPowerState !== "Running")
      toResume.push({ kind: cluster.kind, name: cluster.name });
    if (entry.state !== "Pending" || input.cancelled || free <= 0) continue;
    free--;
    toResume.push({ kind: entry.kind ?? DEFAULT_ENTRY_KIND, name: entry.name });
    entries[i] = {
      ...entry,
      state: "Resuming",
      resumeRequestedAt: failoverTime(input.now),
      message: "asked to run",
    };
  }
  const changedTo = (state: FailoverClusterState) =>
    entries.filter((e) => e.state === state && before.get(entryKey(e)) !== state);
  const counts = countEntries(entries);
  return {
    entries,
    toResume,
    newlyReady: changedTo("Ready"),
    newlyFailed: changedTo("Failed"),
    counts,
    phase: phaseOf(input, counts),
  };
}

/** Seconds from the start until the last standby cluster was Ready; undefined until one is. */
export function achievedRtoSeconds(
  startedAt: string | undefined,
  entries: readonly FailoverClusterStatus[],
): number | undefined {
  if (!startedAt) return undefined;
  const readyTimes = entries.filter((e) => e.readyAt).map((e) => new Date(e.readyAt!).getTime());
  if (readyTimes.length === 0) return undefined;
  return Math.round(Math.max(...readyTimes) - new Date(startedAt).getTime()) / 1000;
}
