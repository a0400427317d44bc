import type { ClusterObject, RegistrationStatus } from "../../api/index.js";
import type { SlipwayConfig } from "../../runtime/config.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import type { KubeObject } from "../../runtime/resource.js";
import type { JobQueue } from "../../queue/job-queue.js";
import type { JobView } from "../../queue/job.js";
import type { CsrView } from "./csr-approval.js";
import type { RegistrationJobData, RegistrationJobResult } from "./job.js";
import type { ManagedClusterObject } from "./managed-cluster.js";

/** Registration's own settings (src/runtime/config.ts `registration`). */
export interface RegistrationSettings {
  /** spec.leaseDurationSeconds of the ManagedClusters of real agents. */
  leaseDurationSeconds: number;
  /** How often the agent's material is applied again on a running cluster with a real agent. */
  resyncSeconds: number;
  /** How long OCM may report a running cluster unavailable before its agent is repaired. */
  repairAfterSeconds: number;
}

/** Read-only views of the hub the controller's informers keep. */
export interface HubCaches {
  managedCluster(name: string): ManagedClusterObject | undefined;
  /** Certificate signing requests labelled for the cluster. */
  csrsOf(clusterName: string): CsrView[];
}

export interface RegistrationDependencies {
  kube: KubeClient;
  /** The "spoke" queue. */
  queue: JobQueue<RegistrationJobData, RegistrationJobResult>;
  config: SlipwayConfig;
  settings: RegistrationSettings;
  hub: HubCaches;
  event: (object: KubeObject, type: "Normal" | "Warning", reason: string, message: string) => Promise<void>;
}

/** What the job to run (or follow) on the spoke is, and why. */
export type Phase =
  | "Disabled"
  | "WaitingForProvisioning"
  | "NameTaken"
  | "Registering"
  | "Registered"
  | "Pausing"
  | "Paused"
  | "Deregistering"
  | "Deregistered";

export interface RegistrationScope {
  cd: ClusterObject;
  deps: RegistrationDependencies;
  now: Date;
  /** status.registration as stored, updated by the phases: the only status record this controller writes. */
  record?: RegistrationStatus;
  phase?: Phase;
  /** Why the phase is what it is, for the Registered condition. */
  message?: string;
  managedCluster?: ManagedClusterObject;
  job?: JobView<RegistrationJobData, RegistrationJobResult>;
  requeueAfterMs?: number;
}
