import {
  CLUSTER_KINDS,
  clusterResources,
  type BootstrapPolicy,
  type ClusterObject,
  type ProtectedObjectClass,
} from "../../api/index.js";
import { bootstrapPolicyResource } from "../../api/resources.js";
import type { ControllerDependencies } from "../../queue/controller-jobs.js";
import { SPOKE_QUEUE } from "../../queue/job.js";
import type { Manager } from "../../runtime/manager.js";
import { objectKey } from "../../runtime/resource.js";
import { clusterBootstrapRegistration } from "./cluster-bootstrap.js";
import type { PolicyEvaluationJobData, PolicyEvaluationResult } from "./job.js";
import { BOOTSTRAP_POLICY_CONTROLLER, bootstrapPolicyRegistration, POLICY_BATCH_MS } from "./controller.js";
import { ProtectedSet } from "./protected.js";
import { RateLimiter } from "./rate-limiter.js";

export { BOOTSTRAP_POLICY_CONTROLLER, POLICY_BATCH_MS } from "./controller.js";
export {
  BOOTSTRAPPED_CONDITION,
  CLUSTER_BOOTSTRAP_CONTROLLER,
  bootstrapVerdict,
} from "./cluster-bootstrap.js";
export { evaluate, type Evaluation, type EnforceAction } from "./evaluate.js";
export { policyEvaluationJob } from "./evaluation-job.js";
export { ProtectedSet } from "./protected.js";
export * from "./job.js";

/** Tuning beside the config, for tests and benchmarks. */
export interface BootstrapControllerOptions {
  /** Evaluations queued per policy per second at most. Default: config.controller.policyEvaluationsPerSecond. */
  evaluationsPerSecond?: number;
  /** When a policy sets no evaluationInterval. Default 10 minutes. */
  defaultIntervalMs?: number;
  /** The administrator's additions to the protected set. Default: config.policies.protectedObjects. */
  protectedObjects?: readonly ProtectedObjectClass[];
}

/**
 * Registers the BootstrapPolicy controller and the one that writes Bootstrapped on clusters. Evaluations go to the
 * "spoke" queue; their job events reconcile the policy, batched.
 */
export function register(
  manager: Manager,
  deps: ControllerDependencies,
  options: BootstrapControllerOptions = {},
): void {
  const queue = deps.jobs.queue<PolicyEvaluationJobData, PolicyEvaluationResult>(SPOKE_QUEUE);
  const { config } = deps;
  const clusters = CLUSTER_KINDS.map((kind) => manager.informer<ClusterObject>(clusterResources[kind]));
  const policies = manager.informer<BootstrapPolicy>(bootstrapPolicyResource);
  manager.register(
    bootstrapPolicyRegistration({
      settings: {
        queue,
        clustersIn: (namespace) => clusters.flatMap((informer) => informer.list({ namespace })),
        limiter: new RateLimiter(
          options.evaluationsPerSecond ?? config.controller.policyEvaluationsPerSecond,
        ),
        defaultIntervalMs: options.defaultIntervalMs,
        protectedObjects: new ProtectedSet(options.protectedObjects ?? config.policies.protectedObjects),
      },
      policiesIn: (namespace) => policies.list({ namespace }).map(objectKey),
    }),
  );
  for (const kind of CLUSTER_KINDS)
    manager.register(
      clusterBootstrapRegistration({ policiesIn: (namespace) => policies.list({ namespace }), kind }),
    );
  deps.jobs.onJobEvent(SPOKE_QUEUE, "BootstrapPolicy", (e) =>
    manager.enqueue(BOOTSTRAP_POLICY_CONTROLLER, `${e.namespace}/${e.name}`, POLICY_BATCH_MS),
  );
}
