import { ClusterPoolReason as Reason, type ClusterPoolReason } from "../../api/reasons.js";
import {
  CLUSTER_POOL_FIELD_MANAGER,
  clusterPoolRefSetByPool,
  type ClusterClaim,
  type ClusterDeployment,
  type ClusterPool,
  type PowerState,
} from "../../api/index.js";
import { isAlreadyExists, isNotFound } from "../../errors/index.js";
import type { ReconcileContext, ReconcileResult } from "../../runtime/reconciler.js";
import { clusterClaimResource, clusterDeploymentResource } from "../../api/resources.js";
import { decide, type PoolDecision } from "../algorithm/index.js";
import { apiTime } from "../../api/duration.js";
import { POOL_LABEL, TEMPLATE_HASH_ANNOTATION, poolClusterName, templateHash } from "../labels.js";
import type { PoolControllerSettings, PoolScope } from "./scope.js";
import { claimView, clusterView, poolView } from "./views.js";

export async function buildPoolScope(
  pool: ClusterPool,
  context: ReconcileContext,
  settings: PoolControllerSettings,
): Promise<PoolScope> {
  const namespace = pool.metadata.namespace!;
  const name = pool.metadata.name!;
  // Live lists: a cache that has not yet seen the clusters created on the last pass would create them again.
  const [clusters, claims] = await Promise.all([
    context.client.list<ClusterDeployment>(clusterDeploymentResource, {
      namespace,
      labelSelector: `${POOL_LABEL}=${name}`,
    }),
    context.client.list<ClusterClaim>(clusterClaimResource, { namespace }),
  ]);
  return {
    pool,
    context,
    settings,
    templateHash: templateHash(pool.spec.template),
    // Only clusters the pool itself created: a hand-written clusterPoolRef is never trusted.
    clusters: clusters.items.filter(
      (cd) => cd.spec.clusterPoolRef?.poolName === name && clusterPoolRefSetByPool(cd),
    ),
    claims: claims.items.filter((claim) => claim.spec.clusterPoolName === name),
  };
}

export async function reconcilePool(scope: PoolScope): Promise<ReconcileResult> {
  const { pool, context, settings } = scope;
  const now = context.now;
  const decision = decide(
    poolView(pool, { now, resumeTimeoutMs: settings.resumeTimeoutMs }),
    scope.clusters.map(clusterView),
    scope.claims.map(claimView),
  );
  scope.decision = decision;

  // The cluster side of a binding is written first: the claim controller follows the ClusterDeployment.
  for (const assignment of decision.assignments) {
    context.log.info(
      {
        ClusterClaim: `${assignment.claimNamespace}/${assignment.claimName}`,
        clusterName: assignment.clusterName,
      },
      "Assigning cluster to claim",
    );
    await assignCluster(scope, assignment.clusterName, assignment.claimName);
    await context.events.record(pool, {
      type: "Normal",
      reason: Reason.ClusterAssigned,
      message: `${assignment.message} to claim ${assignment.claimName}`,
    });
  }

  scope.replacedAt = decision.toDelete
    .filter((d) => d.reason === "Stalled" || d.reason === "ResumeTimeout")
    .map(() => now);
  for (const deletion of decision.toDelete) {
    context.log.info({ clusterName: deletion.clusterName, reason: deletion.reason }, "Deleting pool cluster");
    await deleteCluster(scope, deletion.clusterName);
    const reason: ClusterPoolReason = `Deleting${deletion.reason}`;
    await context.events.record(pool, {
      type: "Normal",
      reason,
      message: `Deleting cluster ${deletion.clusterName}: ${deletion.message}`,
    });
  }

  const assigned = new Set(decision.assignments.map((a) => a.clusterName));
  for (const name of decision.toResume) if (!assigned.has(name)) await setPowerState(scope, name, "Running");
  for (const name of decision.toHibernate) await setPowerState(scope, name, "Hibernating");

  for (let i = 0; i < decision.toCreate; i++) {
    const powerState: PowerState = i < decision.toCreateRunning ? "Running" : "Hibernating";
    const created = await createCluster(scope, powerState);
    context.log.info({ clusterName: created, powerState }, "Created pool cluster");
  }
  if (decision.toCreate > 0) {
    await context.events.record(pool, {
      type: "Normal",
      reason: Reason.ClustersCreated,
      message: `Creating ${decision.toCreate} cluster(s) (${decision.toCreateRunning} running) to keep ${pool.spec.size} unclaimed`,
    });
  }
  return { requeueAfter: nextRequeue(scope, decision) };
}

/** The periodic pass, earlier when a claim expires before it. */
function nextRequeue(scope: PoolScope, decision: PoolDecision): number {
  let wait = scope.settings.requeueAfterMs;
  const now = scope.context.now.getTime();
  for (const claim of scope.claims) {
    const expiresAt = claim.status?.expiresAt ? new Date(claim.status.expiresAt).getTime() : undefined;
    if (expiresAt !== undefined && expiresAt > now) wait = Math.min(wait, expiresAt - now + 1_000);
  }
  if (decision.nextReplacementAt)
    wait = Math.min(wait, Math.max(1_000, decision.nextReplacementAt.getTime() - now));
  return decision.expiredClaims.length > 0 ? Math.min(wait, 5_000) : wait;
}

async function assignCluster(scope: PoolScope, clusterName: string, claimName: string): Promise<void> {
  const { pool, context } = scope;
  const cd = scope.clusters.find((c) => c.metadata.name === clusterName);
  // The resourceVersion makes the write fail rather than bind a cluster that changed since it was read.
  await context.client.patch(
    clusterDeploymentResource,
    pool.metadata.namespace,
    clusterName,
    {
      metadata: { resourceVersion: cd?.metadata.resourceVersion },
      spec: {
        clusterPoolRef: { claimName, claimedTimestamp: apiTime(context.now) },
        powerState: "Running",
        // Unclaimed clusters follow runningCount; once claimed, the pool's hibernateAfter applies.
        ...(pool.spec.hibernateAfter ? { hibernateAfter: pool.spec.hibernateAfter } : {}),
      },
    },
    { type: "merge", fieldManager: CLUSTER_POOL_FIELD_MANAGER },
  );
}

async function deleteCluster(scope: PoolScope, clusterName: string): Promise<void> {
  try {
    await scope.context.client.delete(clusterDeploymentResource, scope.pool.metadata.namespace, clusterName);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

async function setPowerState(scope: PoolScope, clusterName: string, powerState: PowerState): Promise<void> {
  scope.context.log.info({ clusterName, powerState }, "Setting pool cluster power state");
  try {
    await scope.context.client.patch(
      clusterDeploymentResource,
      scope.pool.metadata.namespace,
      clusterName,
      { spec: { powerState } },
      { type: "merge", fieldManager: CLUSTER_POOL_FIELD_MANAGER },
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Creates one cluster from the template; a name clash (1 in 14 million) is retried with another name. */
async function createCluster(scope: PoolScope, powerState: PowerState): Promise<string> {
  const { pool, context } = scope;
  const poolName = pool.metadata.name!;
  const namespace = pool.metadata.namespace!;
  for (let attempt = 0; ; attempt++) {
    const name = poolClusterName(poolName);
    const cd = {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterDeployment",
      metadata: {
        name,
        namespace,
        labels: { ...(pool.spec.labels ?? {}), [POOL_LABEL]: poolName },
        annotations: { [TEMPLATE_HASH_ANNOTATION]: scope.templateHash },
      },
      spec: {
        ...structuredClone(pool.spec.template),
        clusterName: name,
        powerState,
        clusterPoolRef: { namespace, poolName },
      },
    };
    try {
      await context.client.create(clusterDeploymentResource, cd, {
        fieldManager: CLUSTER_POOL_FIELD_MANAGER,
      });
      return name;
    } catch (error) {
      if (!isAlreadyExists(error) || attempt >= 3) throw error;
    }
  }
}

/** Deleting the pool deletes its unclaimed clusters; claimed ones stay with their claims (as in Hive). */
export async function deletePool(scope: PoolScope): Promise<ReconcileResult> {
  for (const cd of scope.clusters) {
    if (cd.spec.clusterPoolRef?.claimName || cd.metadata.deletionTimestamp) continue;
    scope.context.log.info({ clusterName: cd.metadata.name }, "Deleting unclaimed cluster of a deleted pool");
    await deleteCluster(scope, cd.metadata.name!);
  }
  return {};
}
