import type { ClusterKind, ComplianceState } from "../../api/index.js";
import type { JobData } from "../../queue/job.js";

/** The job type of one policy's evaluation on one cluster (queue "spoke"). */
export const POLICY_EVALUATION_JOB = "bootstrap-policy-evaluate";
export const POLICY_EVALUATION_OPERATION = "evaluate";
/** The field manager of what enforce applies on a spoke, and of the Bootstrapped condition on the hub. */
export const BOOTSTRAP_FIELD_MANAGER = "slipway-bootstrap";

/**
 * References only: the worker reads the policy, the ClusterDeployment and its kubeconfig Secret from the hub, so
 * no object and no secret sits in Redis. kind/namespace/name/uid name the policy (job events reach its controller).
 */
export interface PolicyEvaluationJobData extends JobData {
  /** metadata.name of the cluster, in the policy's namespace. */
  clusterName: string;
  clusterUid: string;
  /** ClusterDeployment (when absent: jobs queued before HostedClusters were clusters) or HostedCluster. */
  clusterKind?: ClusterKind;
}

/** One template's verdict on the cluster. */
export interface ObjectVerdict {
  object: string;
  compliant: boolean;
  message: string;
}

export interface PolicyEvaluationResult {
  clusterName: string;
  clusterUid: string;
  /** The policy generation the job evaluated (the policy as it was when the job ran). */
  policyGeneration: number;
  compliant: Extract<ComplianceState, "Compliant" | "NonCompliant">;
  message: string;
  /** Seconds precision, as the API stores it. */
  evaluatedAt: string;
  /** Objects created, updated or deleted by enforce. */
  changed: number;
  objects: ObjectVerdict[];
  /** Set when nothing was evaluated (the policy or cluster is gone, or does not run): why. */
  skipped?: string;
}
