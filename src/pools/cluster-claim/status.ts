import type { ClusterClaim } from "../../api/index.js";
import { markStalled, setCondition, summarizePass, type Condition, type ConditionInput } from "../../runtime/conditions.js";
import type { StatusInput } from "../../runtime/reconciler.js";
import type { OwnedStatus } from "../../runtime/status-patch.js";
import type { ClaimScope } from "./phases.js";

export const ClaimCondition = {
  Pending: "Pending",
  ClusterRunning: "ClusterRunning",
} as const;

type Summary = { state: "ready" | "reconciling" | "stalled"; reason: string; message: string };

interface ClaimReport {
  pending: Omit<ConditionInput, "type">;
  running: Omit<ConditionInput, "type">;
  summary: Summary;
}

/** Everything the claim reports, from what the pass found; the one place claim semantics live. */
function report(scope: ClaimScope): ClaimReport {
  const { claim, pool, cluster } = scope;
  const poolName = claim.spec.clusterPoolName;
  const namespace = claim.metadata.namespace;
  const wasBoundTo = claim.status?.clusterDeploymentRef?.name;

  if (!cluster || cluster.metadata.deletionTimestamp) {
    if (wasBoundTo || cluster) {
      const name = cluster?.metadata.name ?? wasBoundTo;
      const message = `Cluster ${name} assigned to this claim ${cluster ? "is being deleted" : "was deleted"}; delete the claim and create a new one for another cluster`;
      return {
        pending: { status: "False", reason: "ClusterAssigned", message: `Cluster ${name} was assigned` },
        running: { status: "False", reason: "ClusterDeleted", message },
        summary: { state: "stalled", reason: "ClusterDeleted", message },
      };
    }
    const noCluster = { status: "Unknown" as const, reason: "NoClusterAssigned", message: "No cluster is assigned yet" };
    if (!pool) {
      const message = `ClusterPool ${poolName} does not exist in namespace ${namespace}; the claim binds once it is created`;
      return { pending: { status: "True", reason: "PoolNotFound", message }, running: noCluster, summary: { state: "stalled", reason: "PoolNotFound", message } };
    }
    const s = pool.status;
    const message =
      `Waiting for a cluster from pool ${poolName}` +
      (s ? ` (${s.ready ?? 0} running, ${s.standby ?? 0} hibernating, ${s.installing ?? 0} installing, ${s.pendingClaims ?? 0} claim(s) waiting)` : "");
    return { pending: { status: "True", reason: "NoClusters", message }, running: noCluster, summary: { state: "reconciling", reason: "NoClusters", message } };
  }

  const name = cluster.metadata.name!;
  const pending = { status: "False" as const, reason: "ClusterAssigned", message: `Cluster ${name} is assigned to the claim` };
  const powerState = cluster.status?.powerState;
  if (powerState !== "Running") {
    const resuming = powerState === "Starting" || powerState === "Hibernating" || powerState === "Stopping";
    const message = resuming
      ? `Cluster ${name} is resuming from hibernation (now ${powerState}); it will be usable in a few minutes`
      : `Cluster ${name} is ${powerState ? powerState.toLowerCase() : "not reporting a power state yet"}; waiting for it to run`;
    const reason = resuming ? "Resuming" : "ClusterNotRunning";
    return { pending, running: { status: "False", reason, message }, summary: { state: "reconciling", reason, message } };
  }
  const running = { status: "True" as const, reason: "Running", message: `Cluster ${name} is running` };
  if (!scope.kubeconfigSecretName) {
    const message = `Cluster ${name} is running; waiting for its kubeconfig`;
    return { pending, running, summary: { state: "reconciling", reason: "WaitingForKubeconfig", message } };
  }
  return {
    pending,
    running,
    summary: { state: "ready", reason: "ClusterReady", message: `Cluster ${name} is running; its kubeconfig is in Secret ${scope.kubeconfigSecretName}` },
  };
}

export function computeClaimStatus(input: StatusInput<ClusterClaim, ClaimScope>): OwnedStatus {
  const { object: claim, now, generation, scope } = input;
  const previous = claim.status;
  let conditions = (previous?.conditions ?? []) as Condition[];
  if (!scope || scope.expired) {
    // Nothing new was learned: keep the fields and report the error (or the deletion) only.
    conditions = summarizePass(conditions, { error: input.error, done: false, reason: "ClaimExpired", message: "The claim expired and is being deleted", observedGeneration: generation }, now);
    return { ...previous, conditions };
  }

  const r = report(scope);
  conditions = setCondition(conditions, { type: ClaimCondition.Pending, ...r.pending, observedGeneration: generation }, now);
  conditions = setCondition(conditions, { type: ClaimCondition.ClusterRunning, ...r.running, observedGeneration: generation }, now);
  if (input.error === undefined && r.summary.state === "stalled") {
    conditions = markStalled(conditions, { reason: r.summary.reason, message: r.summary.message, observedGeneration: generation }, now);
  } else {
    conditions = summarizePass(
      conditions,
      { error: input.error, done: r.summary.state === "ready", reason: r.summary.reason, message: r.summary.message, observedGeneration: generation },
      now,
    );
  }

  const cluster = scope.cluster;
  const bound = cluster && !cluster.metadata.deletionTimestamp;
  return {
    conditions,
    clusterDeploymentRef: cluster ? { namespace: cluster.metadata.namespace!, name: cluster.metadata.name! } : previous?.clusterDeploymentRef,
    kubeconfigSecretRef: scope.kubeconfigSecretName ? { name: scope.kubeconfigSecretName } : bound ? previous?.kubeconfigSecretRef : undefined,
    apiURL: bound ? (cluster.status?.apiURL ?? previous?.apiURL) : undefined,
    assignedAt: scope.assignedAt ?? previous?.assignedAt,
    expiresAt: scope.expiresAt ?? previous?.expiresAt,
  };
}
