import {
  clusterPoolRefSetByPool,
  type ClusterClaim,
  type ClusterDeployment,
  type ClusterPool,
  type Subject,
} from "../../api/index.js";
import { ClusterClaimReason as Reason } from "../../api/reasons.js";
import { isNotFound, TerminalError } from "../../errors/index.js";
import { isTrue } from "../../runtime/conditions.js";
import type { ReconcileContext, ReconcileResult } from "../../runtime/reconciler.js";
import {
  clusterClaimResource,
  clusterDeploymentResource,
  clusterPoolResource,
  roleBindingResource,
  roleResource,
  secretResource,
} from "../../api/resources.js";
import { apiTime, parseDuration } from "../../api/duration.js";
import {
  BOOTSTRAPPED,
  CLAIM_FIELD_MANAGER,
  POOL_LABEL,
  adminKubeconfigSecretName,
  claimAccessName,
  claimKubeconfigSecretName,
} from "../labels.js";
import type { ClaimControllerSettings, ClaimScope } from "./scope.js";

interface SecretObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, string>;
}

export async function buildClaimScope(
  claim: ClusterClaim,
  context: ReconcileContext,
  settings: ClaimControllerSettings,
): Promise<ClaimScope> {
  const namespace = claim.metadata.namespace!;
  const poolName = claim.spec.clusterPoolName;
  const [pool, clusters] = await Promise.all([
    context.client.getIfExists<ClusterPool>(clusterPoolResource, namespace, poolName),
    context.client.list<ClusterDeployment>(clusterDeploymentResource, {
      namespace,
      labelSelector: `${POOL_LABEL}=${poolName}`,
    }),
  ]);
  const bound = clusters.items.filter(
    (cd) => cd.spec.clusterPoolRef?.claimName === claim.metadata.name && clusterPoolRefSetByPool(cd),
  );
  // Two bound clusters is a conflict the pool resolves (it deletes the one the claim was not told about).
  const cluster =
    bound.find((cd) => cd.metadata.name === claim.status?.clusterDeploymentRef?.name) ??
    bound.find((cd) => !cd.metadata.deletionTimestamp) ??
    bound[0];
  return { claim, context, settings, pool, cluster };
}

/**
 * The claim's lifetime: its own, else the pool's default, cut to the pool's maximum (which also applies when
 * neither is set, as in Hive). Undefined: the claim lives until deleted.
 */
export function claimLifetimeMs(claim: ClusterClaim, pool: ClusterPool | undefined): number | undefined {
  const requested = claim.spec.lifetime ?? pool?.spec.claimLifetime?.default;
  const maximum = pool?.spec.claimLifetime?.maximum;
  const requestedMs = requested ? parseDuration(requested) : undefined;
  const maximumMs = maximum ? parseDuration(maximum) : undefined;
  if (requestedMs === undefined) return maximumMs;
  return maximumMs === undefined ? requestedMs : Math.min(requestedMs, maximumMs);
}

export async function reconcileClaim(scope: ClaimScope): Promise<ReconcileResult> {
  const { claim, context, settings, cluster } = scope;
  const now = context.now;
  const storedExpiry = claim.status?.expiresAt;
  if (storedExpiry && new Date(storedExpiry).getTime() <= now.getTime()) {
    // Hive deletes expired claims; the pool deletes their cluster (ClaimExpired).
    context.log.info({ expiresAt: storedExpiry }, "Claim expired; deleting it");
    await context.events.record(claim, {
      type: "Normal",
      reason: Reason.ClaimExpired,
      message: `The claim expired at ${storedExpiry}; deleting it and its cluster`,
    });
    try {
      await context.client.delete(clusterClaimResource, claim.metadata.namespace, claim.metadata.name!);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    scope.expired = true;
    return {};
  }
  if (!cluster) {
    const wasBoundTo = claim.status?.clusterDeploymentRef?.name;
    if (wasBoundTo) throw clusterGone(wasBoundTo, "was deleted");
    if (!scope.pool) {
      const namespace = claim.metadata.namespace;
      throw new TerminalError(
        Reason.PoolNotFound,
        `ClusterPool ${claim.spec.clusterPoolName} does not exist in namespace ${namespace}; the claim binds once it is created`,
      );
    }
    return {};
  }

  scope.assignedAt =
    claim.status?.assignedAt ?? cluster.spec.clusterPoolRef?.claimedTimestamp ?? apiTime(now);
  const lifetime = claimLifetimeMs(claim, scope.pool);
  if (lifetime !== undefined)
    scope.expiresAt = apiTime(new Date(new Date(scope.assignedAt).getTime() + lifetime));
  if (!claim.status?.clusterDeploymentRef) {
    await context.events.record(claim, {
      type: "Normal",
      reason: Reason.ClusterAssigned,
      message: `Cluster ${cluster.metadata.name} was assigned to the claim`,
    });
  }
  if (cluster.metadata.deletionTimestamp) throw clusterGone(cluster.metadata.name!, "is being deleted");

  const adminSecretName =
    cluster.status?.adminKubeconfigSecretRef?.name ?? adminKubeconfigSecretName(cluster.metadata.name!);
  const adminSecret = await context.client.getIfExists<SecretObject>(
    secretResource,
    cluster.metadata.namespace,
    adminSecretName,
  );
  const kubeconfig = adminSecret?.data?.kubeconfig;
  // A claim never gets an unbootstrapped cluster: its kubeconfig is handed over once the cluster's
  // BootstrapPolicies find it compliant (Bootstrapped is True at once when none selects it). Drift found later
  // does not take access back.
  const bootstrapped =
    isTrue(cluster.status?.conditions, BOOTSTRAPPED) || Boolean(claim.status?.kubeconfigSecretRef);
  if (kubeconfig && bootstrapped) {
    await writeClaimAccess(scope, kubeconfig);
    scope.kubeconfigSecretName = claimKubeconfigSecretName(claim.metadata.name!);
  }

  let requeue = settings.maxRequeueMs;
  if (!kubeconfig || !bootstrapped || cluster.status?.powerState !== "Running")
    requeue = settings.kubeconfigPollMs;
  if (scope.expiresAt)
    requeue = Math.min(requeue, Math.max(1_000, new Date(scope.expiresAt).getTime() - now.getTime() + 500));
  return { requeueAfter: requeue };
}

/** The claim's cluster went: a claim never gets a second cluster, so it stalls until deleted. */
function clusterGone(name: string, what: string): TerminalError {
  return new TerminalError(
    Reason.ClusterDeleted,
    `Cluster ${name} assigned to this claim ${what}; delete the claim and create a new one for another cluster`,
  );
}

/** rbacv1.Subject with the apiGroup filled in. */
function rbacSubject(subject: Subject): Record<string, string> {
  return {
    kind: subject.kind,
    name: subject.name,
    // The API server drops an empty apiGroup; leaving it out keeps applied and stored objects equal.
    ...(subject.kind === "ServiceAccount"
      ? {}
      : { apiGroup: subject.apiGroup || "rbac.authorization.k8s.io" }),
    ...(subject.namespace ? { namespace: subject.namespace } : {}),
  };
}

/**
 * The kubeconfig Secret in the claim's namespace, and a Role + RoleBinding that let the claim's subjects get
 * exactly that Secret. All owned by the claim, so they go when it goes. Server-side apply keeps them as
 * written here whatever someone changed.
 */
async function writeClaimAccess(scope: ClaimScope, kubeconfig: string): Promise<void> {
  const { claim, context } = scope;
  const namespace = claim.metadata.namespace!;
  const claimName = claim.metadata.name!;
  const secretName = claimKubeconfigSecretName(claimName);
  const accessName = claimAccessName(claimName);
  const ownerReferences = [
    {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterClaim",
      name: claimName,
      uid: claim.metadata.uid!,
      controller: true,
    },
  ];
  const labels = { [POOL_LABEL]: claim.spec.clusterPoolName, "slipway.dev/cluster-claim": claimName };
  const apply = (resource: typeof secretResource, name: string, body: Record<string, unknown>) =>
    context.client.patch(
      resource,
      namespace,
      name,
      {
        apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version,
        kind: resource.kind,
        metadata: { name, namespace, labels, ownerReferences },
        ...body,
      },
      { type: "apply", fieldManager: CLAIM_FIELD_MANAGER, force: true },
    );
  await apply(secretResource, secretName, { type: "Opaque", data: { kubeconfig } });
  await apply(roleResource, accessName, {
    rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [secretName], verbs: ["get"] }],
  });
  await apply(roleBindingResource, accessName, {
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: accessName },
    subjects: (claim.spec.subjects ?? []).map(rbacSubject),
  });
}
