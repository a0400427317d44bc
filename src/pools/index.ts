import type { ClusterClaim } from "../api/index.js";
import type { ControllerDependencies } from "../queue/controller-jobs.js";
import type { Manager } from "../runtime/manager.js";
import { objectKey } from "../runtime/resource.js";
import { clusterClaimResource } from "../api/resources.js";
import { clusterClaimRegistration } from "./cluster-claim/controller.js";
import { clusterPoolRegistration } from "./cluster-pool/controller.js";

export {
  CLUSTER_POOL_CONTROLLER,
  clusterPoolReconciler,
  clusterPoolRegistration,
} from "./cluster-pool/controller.js";
export {
  CLUSTER_CLAIM_CONTROLLER,
  clusterClaimReconciler,
  clusterClaimRegistration,
} from "./cluster-claim/controller.js";
export { claimLifetimeMs } from "./cluster-claim/phases.js";
export * from "./labels.js";

/** Tuning beside the config, for tests and benchmarks. */
export interface PoolControllerOptions {
  /** Reconcile every pool this often without events (claim lifetimes, resume timeouts). Default 30 s. */
  poolRequeueAfterMs?: number;
  /**
   * A pool cluster asked to run and not ready this long after its resume started is replaced. Default: the
   * config's controller.resumeTimeoutSeconds (0: never).
   */
  resumeTimeoutMs?: number;
  /** While a bound claim waits for its cluster's kubeconfig or for it to run, look again this often. Default 5 s. */
  claimPollMs?: number;
  /** Pools reconciled at once. Default 2. */
  poolConcurrency?: number;
  /** Claims reconciled at once. Default 4. */
  claimConcurrency?: number;
}

/** Registers the ClusterPool and ClusterClaim controllers; call before `manager.start()`. */
export function register(
  manager: Manager,
  deps: ControllerDependencies,
  options: PoolControllerOptions = {},
): void {
  const resumeTimeoutSeconds = deps.config.controller.resumeTimeoutSeconds;
  manager.register(
    clusterPoolRegistration(
      {
        requeueAfterMs: options.poolRequeueAfterMs ?? 30_000,
        resumeTimeoutMs:
          options.resumeTimeoutMs ?? (resumeTimeoutSeconds ? resumeTimeoutSeconds * 1000 : undefined),
      },
      options.poolConcurrency ?? 2,
    ),
  );
  manager.register(
    clusterClaimRegistration({
      settings: { kubeconfigPollMs: options.claimPollMs ?? 5_000, maxRequeueMs: 30 * 60_000 },
      claimsOfPool: (namespace, name) =>
        manager
          .informer<ClusterClaim>(clusterClaimResource)
          .list({ namespace })
          // Only claims still waiting: a pool's status changes with every cluster it installs, and fanning
          // each change out to every bound claim queued a new claim's pass behind dozens of others.
          .filter((claim) => claim.spec?.clusterPoolName === name && !claim.status?.clusterDeploymentRef)
          .map(objectKey),
      concurrency: options.claimConcurrency ?? 4,
    }),
  );
}
