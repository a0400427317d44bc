import type { HostedCluster, StackStatus } from "../../api/index.js";
import type { StackJobResult } from "../../queue/stack-job.js";
import type { StackControllerDeps, StackScope } from "../stack-resource/index.js";

/** A hosted stack job's result: a platform may say whether its control plane's pods are ready yet. */
export type HostedStackJobResult = StackJobResult & {
  controlPlaneReady?: boolean;
  controlPlaneMessage?: string;
};

export type { StackStatus };

/** The hub client, the "pulumi" queue (a HostedCluster's stack runs beside the ClusterDeployments') and config. */
export type HostedClusterDependencies = StackControllerDeps;

export type EventRecorder = (
  hc: HostedCluster,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
) => Promise<void>;

/** What one pass found and decided; status.ts turns it into the status. */
export interface HostedClusterScope extends StackScope {
  hc: HostedCluster;
  deps: HostedClusterDependencies;
  event: EventRecorder;
  /** The status being built, from the stored one. */
  status: NonNullable<HostedCluster["status"]>;
  /** The last refresh found the control plane differs from the spec (its processes died, say). */
  drift?: string;
  /**
   * The stack is applied but the platform says its control plane's pods are not all ready (management mode's
   * output controlPlaneReady=false): its words. Kept in Available until a later run says they are.
   */
  waitingForPods?: string;
  /** Deleting: the NodePools still naming this cluster. */
  nodePoolsLeft?: string[];
}
