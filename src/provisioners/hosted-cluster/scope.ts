import type { HostedCluster, StackStatus } from "../../api/index.js";
import type { SlipwayConfig } from "../../runtime/config.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import type { JobView } from "../../queue/job.js";
import type { JobQueue } from "../../queue/job-queue.js";
import type { StackJobData, StackJobProgress, StackJobResult } from "../../queue/stack-job.js";

/** A hosted stack job's result: a platform may say whether its control plane's pods are ready yet. */
export type HostedStackJobResult = StackJobResult & {
  controlPlaneReady?: boolean;
  controlPlaneMessage?: string;
};

export type { StackStatus };

export type StackJobQueue = JobQueue<StackJobData, StackJobResult, StackJobProgress>;

export interface HostedClusterDependencies {
  kube: KubeClient;
  /** The "pulumi" queue: a HostedCluster's stack runs beside the ClusterDeployments'. */
  queue: StackJobQueue;
  config: SlipwayConfig;
}

export type EventRecorder = (
  hc: HostedCluster,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
) => Promise<void>;

/** What one pass found and decided; status.ts turns it into the status. */
export interface HostedClusterScope {
  hc: HostedCluster;
  deps: HostedClusterDependencies;
  event: EventRecorder;
  now: Date;
  /** The status being built, from the stored one. */
  status: NonNullable<HostedCluster["status"]>;
  /** The last refresh found the control plane differs from the spec (its processes died, say). */
  drift?: string;
  /** The job in flight or just finished. */
  job?: JobView<StackJobData, StackJobResult, StackJobProgress>;
  /**
   * The stack is applied but the platform says its control plane's pods are not all ready (management mode's
   * output controlPlaneReady=false): its words. Kept in Available until a later run says they are.
   */
  waitingForPods?: string;
  /** Deleting: the NodePools still naming this cluster. */
  nodePoolsLeft?: string[];
  requeueAfterMs?: number;
}
