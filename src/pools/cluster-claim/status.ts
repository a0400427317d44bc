import type { ClusterClaim } from "../../api/index.js";
import { ClusterClaimReason as Reason } from "../../api/reasons.js";
import {
  getCondition,
  setCondition,
  summarize,
  type Condition,
  type ConditionInput,
} from "../../runtime/conditions.js";
import { BOOTSTRAPPED } from "../labels.js";
import type { StatusInput } from "../../runtime/reconciler.js";
import type { OwnedStatus } from "../../runtime/status-patch.js";
import type { ClaimScope } from "./scope.js";

export const ClaimCondition = {
  Pending: "Pending",
  ClusterRunning: "ClusterRunning",
  KubeconfigAvailable: "KubeconfigAvailable",
} as const;

/** Ready summarizes these; Pending has negative polarity (True is the state to leave). */
export const CLAIM_READY_CONDITIONS = [
  { type: ClaimCondition.Pending, polarity: "negative" },
  ClaimCondition.ClusterRunning,
  ClaimCondition.KubeconfigAvailable,
] as const;

type Domain = Omit<ConditionInput, "type">;

interface ClaimReport {
  pending: Domain;
  running: Domain;
  kubeconfig: Domain;
  ready: { reason: string; message: string };
}

/**
 * The claim's domain conditions from what the pass found; the one place claim semantics live. Stalls (pool
 * missing, cluster deleted) are thrown by the phases as TerminalErrors; these conditions say the same.
 */
function report(scope: ClaimScope): ClaimReport {
  const { claim, pool, cluster } = scope;
  const poolName = claim.spec.clusterPoolName;
  const namespace = claim.metadata.namespace;
  const wasBoundTo = claim.status?.clusterDeploymentRef?.name;
  const noKubeconfig = {
    status: "Unknown" as const,
    reason: Reason.NoClusterAssigned,
    message: "No cluster is assigned yet",
  };
  const ready = { reason: Reason.ClusterReady, message: "" };

  if (!cluster || cluster.metadata.deletionTimestamp) {
    if (wasBoundTo || cluster) {
      const name = cluster?.metadata.name ?? wasBoundTo;
      const message = `Cluster ${name} assigned to this claim ${cluster ? "is being deleted" : "was deleted"}; delete the claim and create a new one for another cluster`;
      const gone = { status: "False" as const, reason: Reason.ClusterDeleted, message };
      return {
        pending: { status: "False", reason: Reason.ClusterAssigned, message: `Cluster ${name} was assigned` },
        running: gone,
        kubeconfig: gone,
        ready,
      };
    }
    if (!pool) {
      const message = `ClusterPool ${poolName} does not exist in namespace ${namespace}; the claim binds once it is created`;
      return {
        pending: { status: "True", reason: Reason.PoolNotFound, message },
        running: noKubeconfig,
        kubeconfig: noKubeconfig,
        ready,
      };
    }
    const s = pool.status;
    const message =
      `Waiting for a cluster from pool ${poolName}` +
      (s
        ? ` (${s.ready ?? 0} running, ${s.standby ?? 0} hibernating, ${s.installing ?? 0} installing, ${s.pendingClaims ?? 0} claim(s) waiting)`
        : "");
    return {
      pending: { status: "True", reason: Reason.NoClusters, message },
      running: noKubeconfig,
      kubeconfig: noKubeconfig,
      ready,
    };
  }

  const name = cluster.metadata.name!;
  const pending = {
    status: "False" as const,
    reason: Reason.ClusterAssigned,
    message: `Cluster ${name} is assigned to the claim`,
  };
  const powerState = cluster.status?.powerState;
  if (powerState !== "Running") {
    const resuming = powerState === "Starting" || powerState === "Hibernating" || powerState === "Stopping";
    const message = resuming
      ? `Cluster ${name} is resuming from hibernation (now ${powerState}); it will be usable in a few minutes`
      : `Cluster ${name} is ${powerState ? powerState.toLowerCase() : "not reporting a power state yet"}; waiting for it to run`;
    const running = {
      status: "False" as const,
      reason: resuming ? Reason.Resuming : Reason.ClusterNotRunning,
      message,
    };
    return {
      pending,
      running,
      kubeconfig: {
        status: "Unknown",
        reason: Reason.WaitingForKubeconfig,
        message: `Cluster ${name} does not run yet`,
      },
      ready,
    };
  }
  const running = { status: "True" as const, reason: Reason.Running, message: `Cluster ${name} is running` };
  const bootstrapped = getCondition(cluster.status?.conditions as Condition[] | undefined, BOOTSTRAPPED);
  if (!scope.kubeconfigSecretName && bootstrapped?.status !== "True") {
    const message = `Cluster ${name} is running; waiting for its BootstrapPolicies: ${bootstrapped?.message ?? "not evaluated yet"}`;
    return {
      pending,
      running,
      kubeconfig: { status: "False", reason: Reason.WaitingForBootstrap, message },
      ready,
    };
  }
  if (!scope.kubeconfigSecretName) {
    const message = `Cluster ${name} is running; waiting for its kubeconfig`;
    return {
      pending,
      running,
      kubeconfig: { status: "False", reason: Reason.WaitingForKubeconfig, message },
      ready,
    };
  }
  const secret = scope.kubeconfigSecretName;
  return {
    pending,
    running,
    kubeconfig: {
      status: "True",
      reason: Reason.KubeconfigWritten,
      message: `The cluster's kubeconfig is in Secret ${secret}`,
    },
    ready: {
      reason: Reason.ClusterReady,
      message: `Cluster ${name} is running; its kubeconfig is in Secret ${secret}`,
    },
  };
}

export function computeClaimStatus(input: StatusInput<ClusterClaim, ClaimScope>): OwnedStatus {
  const { object: claim, now, generation, scope } = input;
  const previous = claim.status;
  let conditions = (previous?.conditions ?? []) as Condition[];
  if (!scope || scope.expired) {
    // Nothing new was learned: keep the fields and report the error (or the deletion) only.
    const expiring = { reason: Reason.ClaimExpired, message: "The claim expired and is being deleted" };
    conditions = summarize(
      conditions,
      {
        conditions: CLAIM_READY_CONDITIONS,
        ready: expiring,
        error: input.error,
        deleting: expiring,
        observedGeneration: generation,
      },
      now,
    );
    return { ...previous, conditions };
  }

  const r = report(scope);
  const set = (type: string, domain: Domain) =>
    (conditions = setCondition(conditions, { type, ...domain, observedGeneration: generation }, now));
  set(ClaimCondition.Pending, r.pending);
  set(ClaimCondition.ClusterRunning, r.running);
  set(ClaimCondition.KubeconfigAvailable, r.kubeconfig);
  conditions = summarize(
    conditions,
    {
      conditions: CLAIM_READY_CONDITIONS,
      ready: r.ready,
      error: input.error,
      observedGeneration: generation,
    },
    now,
  );

  const cluster = scope.cluster;
  const bound = cluster && !cluster.metadata.deletionTimestamp;
  return {
    conditions,
    clusterDeploymentRef: cluster
      ? { namespace: cluster.metadata.namespace!, name: cluster.metadata.name! }
      : previous?.clusterDeploymentRef,
    kubeconfigSecretRef: scope.kubeconfigSecretName
      ? { name: scope.kubeconfigSecretName }
      : bound
        ? previous?.kubeconfigSecretRef
        : undefined,
    apiURL: bound ? (cluster.status?.apiURL ?? previous?.apiURL) : undefined,
    assignedAt: scope.assignedAt ?? previous?.assignedAt,
    expiresAt: scope.expiresAt ?? previous?.expiresAt,
  };
}
