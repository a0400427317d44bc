import { derivedName, type HostedCluster } from "../../api/index.js";
import { hostedClusterResource } from "../../api/resources.js";
import type { JobHandler } from "../../queue/job-worker.js";
import type { StackJobData, StackJobProgress, StackJobResult } from "../../queue/stack-job.js";
import { stackJob, text, type StackJobDeps, type StackJobKind } from "../stack-resource/index.js";
import { platformDefinition } from "../../../stacks/index.js";
import { desiredHostedStack, hostedPlatformName, hostedProgramFor, validateHostedStack } from "./platform.js";

/** The job type of a HostedCluster's Pulumi runs (queue "pulumi"). */
export const HOSTED_CLUSTER_STACK_JOB = "hosted-cluster-stack";

/** The admin kubeconfig Secret of a HostedCluster (status.kubeconfig, key `kubeconfig`). */
export function hostedKubeconfigSecretName(name: string): string {
  return derivedName(name, "-admin-kubeconfig");
}

export type HostedClusterStackJobDeps = StackJobDeps;

/** What a HostedCluster's stack job runs: its platform's HostedCluster program (stack-resource/stack-job.ts). */
export const hostedClusterStackJobKind: StackJobKind<HostedCluster> = {
  kind: "HostedCluster",
  resource: hostedClusterResource,
  desired(hc, { config, validate }) {
    const program = hostedProgramFor(hc);
    if (validate) validateHostedStack(hc, program, config);
    const platform = hostedPlatformName(hc);
    return {
      ...desiredHostedStack(hc, program, config),
      platform,
      definition: platformDefinition(platform)!,
      platformSpec: (hc.spec.platform as Record<string, Record<string, unknown> | undefined>)[platform] ?? {},
    };
  },
  kubeconfigSecret: {
    name: (hc) => hostedKubeconfigSecretName(hc.metadata!.name!),
    label: "slipway.dev/hosted-cluster",
  },
  // Platforms that run the control plane as workloads say whether its pods are ready (HostedStackJobResult).
  result: (outputs) =>
    typeof outputs.controlPlaneReady === "boolean"
      ? {
          controlPlaneReady: outputs.controlPlaneReady,
          controlPlaneMessage: text(outputs.controlPlaneMessage),
        }
      : {},
};

/**
 * Runs a HostedCluster's stack job: reads the HostedCluster the payload names, runs its platform's HostedCluster
 * program and stores the admin kubeconfig in a Secret the HostedCluster owns. Status is the controller's to write.
 */
export function hostedClusterStackJob(
  deps: HostedClusterStackJobDeps,
): JobHandler<StackJobData, StackJobResult, StackJobProgress> {
  return stackJob(hostedClusterStackJobKind, deps);
}
