/**
 * What the status of a cluster (a ClusterDeployment or a HostedCluster) shares in its provisioner, beside the
 * kind's own conditions: the Hibernating condition, and Ready over the kind's conditions and those registration
 * and bootstrap report.
 */
import type { ClusterObject } from "../../api/index.js";
import { BootstrapReason, ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { bootstrappedBeforeResume } from "../../api/resume-readiness.js";
import {
  setCondition,
  summarize,
  type Condition,
  type ConditionInput,
  type SummarizeInput,
} from "../../runtime/conditions.js";

type Domain = Omit<ConditionInput, "type" | "observedGeneration">;

/**
 * Conditions other controllers write on a cluster (registration, bootstrap) that Ready also summarizes once they are
 * reported. Its provisioner reads them and never sends them: each controller applies only its own condition types.
 */
export const FOREIGN_READY_CONDITIONS = ["Registered", "Bootstrapped"] as const;

/** Hibernating: True once the processes are stopped with the data kept; False while running or going to sleep. */
export function hibernatingCondition(powerState: string | undefined): Domain {
  const hibernating = powerState === "Hibernating";
  return {
    status: hibernating ? "True" : "False",
    reason: hibernating ? Reason.Hibernating : powerState === "Stopping" ? Reason.Stopping : Reason.Running,
    message: hibernating
      ? "Processes are stopped and data is kept"
      : `Power state ${powerState ?? "unknown"}`,
  };
}

/** What Ready of a cluster is computed from, beside the conditions. */
export interface ClusterReadyInput extends Omit<SummarizeInput, "conditions"> {
  /** The cluster as read at the start of the pass (its stored status): whether Bootstrapped predates its resume. */
  stored: ClusterObject;
  /** The kind's own conditions Ready summarizes, most telling first. */
  own: readonly string[];
}

/**
 * Ready of a cluster: a summary of the kind's own conditions and of registration's and bootstrap's once their
 * controllers report them. A Bootstrapped verdict from before the cluster's last resume counts as Unknown: it does
 * not make the resumed cluster Ready (resume-readiness.ts).
 */
export function summarizeClusterReady(
  conditions: Condition[],
  input: ClusterReadyInput,
  now: Date,
): Condition[] {
  const { stored, own, ...summary } = input;
  const forReady = bootstrappedBeforeResume(stored)
    ? setCondition(
        conditions,
        {
          type: "Bootstrapped",
          status: "Unknown",
          reason: BootstrapReason.AwaitingEvaluation,
          message: "The cluster resumed: waiting for its BootstrapPolicies to evaluate it again",
          observedGeneration: summary.observedGeneration,
        },
        now,
      )
    : conditions;
  const reported = FOREIGN_READY_CONDITIONS.filter((type) => conditions.some((c) => c.type === type));
  return summarize(forReady, { ...summary, conditions: [...own, ...reported] }, now);
}
