import {
  FAILOVER_ANNOTATION,
  resumeReadiness,
  type ClusterClaim,
  type ClusterDeployment,
  type ClusterPool,
} from "../../api/index.js";
import { getCondition, isTrue, type Condition } from "../../runtime/conditions.js";
import type { ClaimView, ClusterPowerState, ClusterView, PoolView } from "../algorithm/index.js";
import { TEMPLATE_HASH_ANNOTATION, templateHash } from "../labels.js";

/** How the pool controller maps the API objects into the algorithm's views; pure, so tested without a hub. */

export interface PoolViewOptions {
  now: Date;
  /** A cluster asked to run that is not ready this long after its resume started is broken. Absent: never. */
  resumeTimeoutMs?: number;
}

export function poolView(pool: ClusterPool, options: PoolViewOptions): PoolView {
  return {
    size: pool.spec.size,
    maxSize: pool.spec.maxSize,
    maxConcurrent: pool.spec.maxConcurrent,
    runningCount: pool.spec.runningCount ?? 0,
    recentReplacements: (pool.status?.brokenReplacements ?? []).map((t) => new Date(t)),
    templateHash: templateHash(pool.spec.template),
    now: options.now,
    resumeTimeoutMs: options.resumeTimeoutMs,
  };
}

/** The CD's observed power state in the algorithm's vocabulary (Pending is before the first install step). */
function observedPowerState(cd: ClusterDeployment): ClusterPowerState {
  switch (cd.status?.powerState) {
    case "Running":
    case "Starting":
    case "Stopping":
    case "Hibernating":
    case "Provisioning":
      return cd.status.powerState;
    case "Pending":
      return "Provisioning";
    case undefined:
      return cd.status?.provisionedAt ? "Unknown" : "Provisioning";
    default:
      return "Unknown";
  }
}

function toDate(value: string | undefined): Date | undefined {
  return value ? new Date(value) : undefined;
}

/**
 * A cluster whose stack runs but that is not back yet (not Ready for this generation, or not registered,
 * Joined or Bootstrapped where those conditions are reported) is still Starting: it is not handed to a claim,
 * and the pool's resume timeout counts it.
 */
function resumedPowerState(cd: ClusterDeployment): ClusterPowerState {
  const observed = observedPowerState(cd);
  if (observed !== "Running" || (cd.spec.powerState ?? "Running") !== "Running") return observed;
  return resumeReadiness(cd).state === "Waiting" ? "Starting" : observed;
}

export function clusterView(cd: ClusterDeployment): ClusterView {
  const powerState = resumedPowerState(cd);
  const stalled = getCondition(cd.status?.conditions as Condition[] | undefined, "Stalled");
  const startedAt = cd.status?.stack?.startedAt;
  return {
    name: cd.metadata.name!,
    createdAt: toDate(cd.metadata.creationTimestamp) ?? new Date(0),
    templateHash: cd.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION] ?? "",
    provisioned: Boolean(cd.status?.provisionedAt),
    powerState,
    desiredPowerState: cd.spec.powerState ?? "Running",
    stalled: isTrue(cd.status?.conditions, "Stalled"),
    stalledReason: stalled?.reason,
    stalledMessage: stalled?.message,
    deleting: Boolean(cd.metadata.deletionTimestamp),
    // Bootstrap gating comes with BootstrapPolicies; until then a Running cluster is assignable.
    bootstrapRequired: false,
    bootstrapped: isTrue(cd.status?.conditions, "Bootstrapped"),
    claimName: cd.spec.clusterPoolRef?.claimName,
    resumingSince: powerState === "Starting" ? toDate(startedAt) : undefined,
    heldRunning: cd.metadata.annotations?.[FAILOVER_ANNOTATION] !== undefined,
  };
}

export function claimView(claim: ClusterClaim): ClaimView {
  return {
    name: claim.metadata.name!,
    namespace: claim.metadata.namespace!,
    createdAt: toDate(claim.metadata.creationTimestamp) ?? new Date(0),
    deleting: Boolean(claim.metadata.deletionTimestamp),
    expiresAt: toDate(claim.status?.expiresAt),
    assignedCluster: claim.status?.clusterDeploymentRef?.name,
  };
}
