import type { BootstrapPolicy, ClusterDeployment, ProtectedObjectClass } from "../../api/index.js";
import { bootstrapPolicyResource, clusterDeploymentResource } from "../../api/resources.js";
import type { JobQueue } from "../../queue/job-queue.js";
import type { Manager } from "../../runtime/manager.js";
import { objectKey } from "../../runtime/resource.js";
import { clusterBootstrapRegistration } from "./cluster-bootstrap.js";
import type { PolicyEvaluationJobData, PolicyEvaluationResult } from "./job.js";
import { bootstrapPolicyRegistration } from "./policy-controller.js";
import { ProtectedSet } from "./protected.js";
import { RateLimiter } from "./rate-limiter.js";

export { BOOTSTRAP_POLICY_CONTROLLER, POLICY_BATCH_MS } from "./policy-controller.js";
export {
  BOOTSTRAPPED_CONDITION,
  CLUSTER_BOOTSTRAP_CONTROLLER,
  bootstrapVerdict,
} from "./cluster-bootstrap.js";
export { evaluate, type Evaluation, type EnforceAction } from "./evaluate.js";
export { policyEvaluationJob } from "./evaluation-job.js";
export { ProtectedSet } from "./protected.js";
export * from "./job.js";

export interface BootstrapControllerDeps {
  /** The "spoke" queue. */
  queue: JobQueue<PolicyEvaluationJobData, PolicyEvaluationResult>;
  /** Evaluations queued per policy per second at most. Default 50. */
  evaluationsPerSecond?: number;
  /** When a policy sets no evaluationInterval. Default 10 minutes. */
  defaultIntervalMs?: number;
  /** The administrator's additions to the protected set (SLIPWAY_PROTECTED_OBJECTS). */
  protectedObjects?: readonly ProtectedObjectClass[];
}

/** Registers the BootstrapPolicy controller and the one that writes Bootstrapped on ClusterDeployments. */
export function registerBootstrapControllers(manager: Manager, deps: BootstrapControllerDeps): void {
  const clusters = manager.informer<ClusterDeployment>(clusterDeploymentResource);
  const policies = manager.informer<BootstrapPolicy>(bootstrapPolicyResource);
  manager.register(
    bootstrapPolicyRegistration({
      settings: {
        queue: deps.queue,
        clustersIn: (namespace) => clusters.list({ namespace }),
        limiter: new RateLimiter(deps.evaluationsPerSecond ?? 50),
        defaultIntervalMs: deps.defaultIntervalMs,
        protectedObjects: new ProtectedSet(deps.protectedObjects),
      },
      policiesIn: (namespace) => policies.list({ namespace }).map(objectKey),
    }),
  );
  manager.register(clusterBootstrapRegistration({ policiesIn: (namespace) => policies.list({ namespace }) }));
}
