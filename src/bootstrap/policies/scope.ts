import type { BootstrapPolicy, ClusterObject, PolicyClusterStatus } from "../../api/index.js";
import type { JobQueue } from "../../queue/job-queue.js";
import type { ReconcileContext } from "../../runtime/reconciler.js";
import type { PolicyEvaluationJobData, PolicyEvaluationResult } from "./job.js";
import type { ProtectedSet } from "./protected.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { RolloutDecision } from "./rollout.js";

export interface PolicyControllerSettings {
  /** The "spoke" queue, where evaluations go. */
  queue: JobQueue<PolicyEvaluationJobData, PolicyEvaluationResult>;
  /** The ClusterDeployments of a namespace, from the shared informer's cache. */
  clustersIn(namespace: string): ClusterObject[];
  /**
   * At most so many evaluations are queued per policy per second: a change on 1,000 clusters is spread over
   * seconds instead of firing 1,000 jobs at one instant (the spoke workers' concurrency bounds them further).
   */
  limiter: RateLimiter;
  /** When the policy sets no evaluationInterval. */
  defaultIntervalMs?: number;
  /** What policies may not delete or rewrite on clusters; the built-in set when absent. */
  protectedObjects?: ProtectedSet;
}

/** What one pass found and decided; status.ts reports it. */
export interface PolicyScope {
  policy: BootstrapPolicy;
  context: ReconcileContext;
  settings: PolicyControllerSettings;
  /** The matching clusters, by name. */
  clusters: ClusterObject[];
  /** The status entry of each matching cluster after this pass, by cluster name. */
  entries: Map<string, PolicyClusterStatus>;
  /** Evaluations queued or running. */
  evaluating: number;
  /** Due evaluations held back by the rate limit. */
  deferred: number;
  /** Matching clusters that do not run (provisioning, hibernating): evaluated once they do. */
  notRunning: number;
  /** spec.rollout's decision of this pass (enforce with a rollout). */
  rollout?: RolloutDecision;
}
