import type { ClusterDeployment } from "../../src/api/index.js";
import type { ClusterDeploymentScope } from "../../src/provisioners/cluster-deployment/scope.js";

/**
 * The ClusterDeployment controller's scope for status tests: simulated cluster team-a/dev-a (uid u1, generation 1)
 * whose `up` for generation 1 is in the stack record, as `stack` says (InProgress, or Succeeded at `now`).
 */
export function clusterDeploymentScope(options: {
  now: Date;
  stack: "InProgress" | "Succeeded";
  status?: Partial<ClusterDeploymentScope["status"]>;
  job?: ClusterDeploymentScope["job"];
}): ClusterDeploymentScope {
  const { now } = options;
  const cd = {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name: "dev-a", namespace: "team-a", uid: "u1", generation: 1 },
    spec: { clusterName: "dev-a", platform: { simulated: {} } },
  } as unknown as ClusterDeployment;
  const stack = {
    type: "up" as const,
    jobId: "u1.g1.up",
    generation: 1,
    startedAt: now.toISOString(),
    ...(options.stack === "Succeeded" ? { finishedAt: now.toISOString() } : {}),
    result: options.stack,
  };
  return { cd, now, status: { stack, ...options.status }, job: options.job, deps: {} as never };
}
