import type { RegistrationOperationType } from "../../api/index.js";
import type { JobData } from "../../queue/job.js";

/** The job type of registration work on the "spoke" queue. */
export const REGISTRATION_JOB = "cluster-deployment-registration";

/** A registration job's payload: references only. The worker reads the cluster, its kubeconfig and the token. */
export interface RegistrationJobData extends JobData {
  operation: RegistrationOperationType;
  /** The ManagedCluster (and hub namespace) of the cluster. */
  managedClusterName: string;
  /** register only: OCM has not heard from the running cluster's agent for a while; restart a local agent. */
  repair?: boolean;
}

/** What the controller copies into status.registration: never a token or a kubeconfig. */
export interface RegistrationJobResult {
  operation: RegistrationOperationType;
  generation: number;
  /** How the cluster reaches the hub: OCM's agent beside it, a simulated agent, or material only (cloud). */
  agent: "local" | "simulated" | "none";
  message: string;
  finishedAt: string;
  skipped?: string;
}
