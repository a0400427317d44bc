import { derivedName, type ClusterDeployment } from "../../api/index.js";
import { clusterDeploymentResource } from "../../api/resources.js";
import { TerminalJobError } from "../../errors/index.js";
import type { JobHandler } from "../../queue/job-worker.js";
import type { StackJobData, StackJobProgress, StackJobResult } from "../../queue/stack-job.js";
import { stackJob, type StackJobDeps, type StackJobKind } from "../stack-resource/index.js";
import { desiredStack, platformFor, platformName } from "./platform.js";

/** The job type of a ClusterDeployment's Pulumi runs (queue "pulumi"). */
export const CLUSTER_DEPLOYMENT_STACK_JOB = "cluster-deployment-stack";

export function kubeconfigSecretName(cdName: string): string {
  return derivedName(cdName, "-admin-kubeconfig");
}

export type ClusterDeploymentStackJobDeps = StackJobDeps;

/** What a ClusterDeployment's stack job runs: its platform's ClusterDeployment program (stack-resource/stack-job.ts). */
export const clusterDeploymentStackJobKind: StackJobKind<ClusterDeployment> = {
  kind: "ClusterDeployment",
  resource: clusterDeploymentResource,
  desired(cd, { config, validate }) {
    const adapter = platformFor(cd);
    if (!adapter)
      throw new TerminalJobError("UnsupportedPlatform", `no stack for platform ${platformName(cd)}`);
    if (validate) adapter.validate(cd, config);
    return {
      ...desiredStack(adapter, cd, config),
      platform: adapter.name,
      definition: adapter.definition,
      platformSpec: adapter.platformSpec(cd),
    };
  },
  kubeconfigSecret: {
    name: (cd) => kubeconfigSecretName(cd.metadata!.name!),
    label: "slipway.dev/cluster-deployment",
  },
};

/**
 * Runs a ClusterDeployment's stack job: reads the ClusterDeployment the payload names, runs its platform's
 * Pulumi program, and stores the admin kubeconfig in a Secret owned by the ClusterDeployment. Status is the
 * controller's to write.
 */
export function clusterDeploymentStackJob(
  deps: ClusterDeploymentStackJobDeps,
): JobHandler<StackJobData, StackJobResult, StackJobProgress> {
  return stackJob(clusterDeploymentStackJobKind, deps);
}
