import {
  clusterKeyOf,
  clusterResources,
  clusterView,
  entryKey,
  entryLabeler,
  FAILOVER_ANNOTATION,
  type ClusterObject,
  type ClusterFailover,
  type ClusterPool,
  type FailoverClusterStatus,
  type FailoverPhase,
} from "../api/index.js";
import { ClusterFailoverReason as Reason } from "../api/reasons.js";
import { clusterPoolResource } from "../api/resources.js";
import { isNotFound, TerminalError } from "../errors/index.js";
import type { ReconcileContext, ReconcileResult } from "../runtime/reconciler.js";
import {
  achievedRtoSeconds,
  failoverTime,
  initialEntries,
  overlapMessage,
  planFailover,
  standbyPrimaryOverlap,
  type ClusterRef,
  type FailoverPlan,
} from "./plan.js";
import { clustersOfSet, conflictingFailover, ENDED_PHASES, failoverClusterView } from "./views.js";
import { parseDuration } from "../api/duration.js";

export const FAILOVER_FIELD_MANAGER = "slipway-cluster-failover";
const DEFAULT_RESUME_TIMEOUT_MS = 30 * 60_000;
/** While clusters resume, look again this often even without events (timeouts, deleted clusters). */
const POLL_MS = 5_000;
/** A failover that cannot start looks again this often: the pool or the clusters may appear. */
const STALLED_RETRY_MS = 15_000;

export interface FailoverDeps {
  /** The ClusterDeployments of a namespace (the informer's cache). */
  clustersIn(namespace: string): ClusterObject[];
  /** The ClusterFailovers of a namespace (the informer's cache). */
  failoversIn(namespace: string): ClusterFailover[];
  /** Hub registration is on: a resumed cluster must also be Joined. */
  registrationRequired?: boolean;
}

/** What a pass leaves for the next one; the status holds the same, once the cache shows it. */
export interface FailoverProgress {
  startedAt?: string;
  entries?: FailoverClusterStatus[];
  phase?: FailoverPhase;
  completedAt?: string;
  primaryHibernated?: number;
}

/** What one pass read and decided; status.ts reports from it. */
export interface FailoverScope extends FailoverProgress {
  failover: ClusterFailover;
  context: ReconcileContext;
  deps: FailoverDeps;
  /** Clusters (by key: kind and name) this controller asked to run, until its status shows them. */
  requested: Map<string, string>;
  clusters: ClusterObject[];
  startedAt?: string;
  entries?: FailoverClusterStatus[];
  plan?: FailoverPlan;
  phase?: FailoverPhase;
  completedAt?: string;
  primaryHibernated?: number;
}

/**
 * `last` is what this controller's previous pass on the failover decided. The informer's cache may not show that
 * pass's status write yet; starting again from an older status would restart the RTO clock and count clusters
 * twice, so the newer of the two is used (this controller is the status's only writer).
 */
export function buildFailoverScope(
  failover: ClusterFailover,
  context: ReconcileContext,
  deps: FailoverDeps,
  requested: Map<string, string>,
  last?: FailoverProgress,
): FailoverScope {
  const status = last?.startedAt ? last : failover.status;
  return {
    failover,
    context,
    deps,
    requested,
    clusters: deps.clustersIn(failover.metadata.namespace!),
    startedAt: status?.startedAt,
    entries: last?.startedAt ? last.entries : failover.status?.clusters,
    phase: status?.phase,
    completedAt: status?.completedAt,
    primaryHibernated: status?.primaryHibernated,
  };
}

async function poolExists(scope: FailoverScope, name: string): Promise<boolean> {
  const pool = await scope.context.client.getIfExists<ClusterPool>(
    clusterPoolResource,
    scope.failover.metadata.namespace!,
    name,
  );
  return pool !== undefined && !pool.metadata.deletionTimestamp;
}

/** Fixes the standby set on the first pass; refuses an empty set, a missing pool or a set another failover holds. */
async function start(scope: FailoverScope): Promise<void> {
  const { failover, context, clusters } = scope;
  const set = failover.spec.standby;
  if (set.poolName !== undefined && !(await poolExists(scope, set.poolName)))
    throw new TerminalError(
      Reason.PoolNotFound,
      `ClusterPool ${set.poolName} does not exist in namespace ${failover.metadata.namespace}: create it or fix spec.standby.poolName`,
      { requeueAfterMs: STALLED_RETRY_MS },
    );
  const standby = clustersOfSet(set, clusters);
  if (standby.length === 0)
    throw new TerminalError(
      Reason.NoClustersMatched,
      set.poolName !== undefined
        ? `ClusterPool ${set.poolName} has no clusters: wait for it to create them or name another pool`
        : "spec.standby.selector matches no ClusterDeployment or HostedCluster in this namespace: fix the selector or the clusters' labels",
      { requeueAfterMs: STALLED_RETRY_MS },
    );
  const members = new Set(standby.map(clusterKeyOf));
  if (failover.spec.primary) {
    const primary = clustersOfSet(failover.spec.primary, clusters);
    const overlap = standbyPrimaryOverlap([...members], primary.map(clusterKeyOf));
    if (overlap.length > 0)
      throw new TerminalError(
        Reason.StandbyPrimaryOverlap,
        overlapMessage(shownAs([...standby, ...primary], overlap)),
        { requeueAfterMs: STALLED_RETRY_MS },
      );
  }
  const other = conflictingFailover(
    failover,
    scope.deps.failoversIn(failover.metadata.namespace!),
    members,
    clusters,
  );
  if (other)
    throw new TerminalError(
      Reason.SetInUse,
      `ClusterFailover ${other.metadata.name} is still running on clusters of this set; this one starts once it ` +
        `ends, or cancel it (spec.cancel: true)`,
      { requeueAfterMs: STALLED_RETRY_MS },
    );
  scope.startedAt = failoverTime(context.now);
  scope.entries = initialEntries(standby.map((cd) => failoverClusterView(cd, failover, false)));
  context.log.info({ clusters: scope.entries.length }, "Starting failover");
  await context.events.record(failover, {
    type: "Normal",
    reason: Reason.FailoverStarted,
    message: `Resuming ${scope.entries.length} cluster(s), at most ${failover.spec.maxConcurrent ?? 10} at once`,
  });
}

/** How people read the clusters of `keys`: names, or Kind/name where both kinds are among `clusters`. */
function shownAs(clusters: readonly ClusterObject[], keys: readonly string[]): string[] {
  const byKey = new Map(clusters.map((cd) => [clusterKeyOf(cd), cd]));
  const refs = keys.map((key) => {
    const cd = byKey.get(key)!;
    return { kind: clusterView(cd).kind, name: cd.metadata.name! };
  });
  return refs.map(entryLabeler(clusters.map((cd) => ({ kind: clusterView(cd).kind }))));
}

/** spec.powerState Running and the annotation that keeps the cluster running after the failover. */
async function resumeCluster(scope: FailoverScope, cluster: ClusterRef): Promise<void> {
  const { failover, context } = scope;
  try {
    await context.client.patch(
      clusterResources[cluster.kind],
      failover.metadata.namespace,
      cluster.name,
      {
        metadata: { annotations: { [FAILOVER_ANNOTATION]: failover.metadata.name } },
        spec: { powerState: "Running" },
      },
      { type: "merge", fieldManager: FAILOVER_FIELD_MANAGER },
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Failback: the primary set hibernates, and loses the annotation of whichever failover held it running. */
async function hibernatePrimary(scope: FailoverScope): Promise<void> {
  const { failover, context } = scope;
  const primary = failover.spec.primary;
  if (!primary || scope.primaryHibernated !== undefined) return;
  const standby = new Set(scope.entries?.map(entryKey));
  const matched = clustersOfSet(primary, scope.clusters);
  // Checked at the start; labels changed since may put a resumed cluster in the primary set: it stays running.
  const overlap = standbyPrimaryOverlap([...standby], matched.map(clusterKeyOf));
  if (overlap.length > 0)
    await context.events.record(failover, {
      type: "Warning",
      reason: Reason.StandbyPrimaryOverlap,
      message: `${shownAs(scope.clusters, overlap).join(", ")} joined the primary set during the failover; they stay running, the rest of the primary set is hibernated`,
    });
  const clusters = matched.filter((cd) => !standby.has(clusterKeyOf(cd)));
  context.log.info({ clusters: clusters.length }, "Hibernating the primary set");
  for (const cd of clusters) {
    await context.client.patch(
      clusterView(cd).resource,
      failover.metadata.namespace,
      cd.metadata.name!,
      { metadata: { annotations: { [FAILOVER_ANNOTATION]: null } }, spec: { powerState: "Hibernating" } },
      { type: "merge", fieldManager: FAILOVER_FIELD_MANAGER },
    );
  }
  scope.primaryHibernated = clusters.length;
}

function failedNames(entries: readonly FailoverClusterStatus[]): string {
  const failed = entries.filter((e) => e.state === "Failed");
  const label = entryLabeler(entries);
  const shown = failed.slice(0, 5).map((e) => `${label(e)} (${e.reason})`);
  return `${shown.join(", ")}${failed.length > 5 ? ` and ${failed.length - 5} more` : ""}`;
}

async function finish(scope: FailoverScope, plan: FailoverPlan): Promise<void> {
  const { failover, context } = scope;
  if (plan.phase === "Succeeded") await hibernatePrimary(scope);
  scope.completedAt = failoverTime(context.now);
  const rto = achievedRtoSeconds(scope.startedAt, plan.entries);
  const { ready, total, failed, cancelled } = plan.counts;
  await context.events.record(failover, {
    type: plan.phase === "Succeeded" || plan.phase === "Cancelled" ? "Normal" : "Warning",
    reason: Reason.FailoverEnded,
    message:
      `${plan.phase}: ${ready}/${total} Ready, ${failed} failed, ${cancelled} cancelled` +
      (rto !== undefined ? `; RTO ${rto.toFixed(1)} s` : ""),
  });
}

/** A failover that ended with clusters that did not come up stays Stalled: what to do is in the message. */
function endedWithFailures(scope: FailoverScope, poolDeleted: boolean): TerminalError | undefined {
  const entries = scope.entries ?? [];
  const failed = entries.filter((e) => e.state === "Failed").length;
  if ((scope.phase !== "Failed" && scope.phase !== "PartiallyFailed") || failed === 0) return undefined;
  const reason = poolDeleted
    ? Reason.PoolDeleted
    : scope.phase === "Failed"
      ? Reason.Failed
      : Reason.PartiallyFailed;
  return new TerminalError(
    reason,
    `${failed} of ${entries.length} standby cluster(s) did not come up: ${failedNames(entries)}. ` +
      "The Ready ones stay running; fix the cause and create a new ClusterFailover for the rest",
  );
}

export async function reconcileFailover(scope: FailoverScope): Promise<ReconcileResult> {
  const { failover, context } = scope;
  if (ENDED_PHASES.includes(scope.phase ?? "Pending")) {
    const failure = endedWithFailures(
      scope,
      scope.entries?.some((e) => e.reason === Reason.PoolDeleted) ?? false,
    );
    if (failure) throw failure;
    return {};
  }
  const cancelled = Boolean(failover.spec.cancel) || Boolean(failover.metadata.deletionTimestamp);
  if (!scope.entries || scope.entries.length === 0) {
    if (cancelled) {
      scope.entries = [];
      scope.phase = "Cancelled";
      scope.completedAt = failoverTime(context.now);
      return {};
    }
    await start(scope);
  }
  const poolName = failover.spec.standby.poolName;
  const poolDeleted = poolName !== undefined && !(await poolExists(scope, poolName));
  const clusters = new Map(
    scope.clusters.map((cd) => [
      clusterKeyOf(cd),
      failoverClusterView(cd, failover, scope.deps.registrationRequired ?? false),
    ]),
  );
  const plan = planFailover({
    name: failover.metadata.name!,
    maxConcurrent: failover.spec.maxConcurrent ?? 10,
    resumeTimeoutMs: failover.spec.resumeTimeout
      ? parseDuration(failover.spec.resumeTimeout)
      : DEFAULT_RESUME_TIMEOUT_MS,
    cancelled,
    poolDeleted,
    entries: scope.entries!,
    clusters,
    requested: scope.requested,
    now: context.now,
  });
  scope.plan = plan;
  scope.entries = plan.entries;
  scope.phase = plan.phase;

  if (plan.toResume.length > 0)
    context.log.info({ clusters: plan.toResume.length }, "Resuming standby clusters");
  await Promise.all(plan.toResume.map((cluster) => resumeCluster(scope, cluster)));
  for (const entry of plan.entries)
    if (entry.resumeRequestedAt) scope.requested.set(entryKey(entry), entry.resumeRequestedAt);
  const label = entryLabeler(plan.entries);
  for (const entry of plan.newlyFailed)
    await context.events.record(failover, {
      type: "Warning",
      reason: Reason.ClusterFailed,
      message: `${label(entry)}: ${entry.reason}: ${entry.message ?? ""}`,
    });

  if (plan.phase === "Running" || plan.phase === "Cancelling") return { requeueAfter: POLL_MS };
  await finish(scope, plan);
  const failure = endedWithFailures(scope, poolDeleted);
  if (failure) throw failure;
  return {};
}

/** Deleting a failover cancels it: nothing is undone, so there is nothing to clean up. */
export async function deleteFailover(): Promise<ReconcileResult> {
  return {};
}
