import type { ClusterObject, RegistrationStatus } from "../../api/index.js";
import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import {
  isValidReason,
  setCondition,
  type Condition,
  type ConditionInput,
} from "../../runtime/conditions.js";
import { safeMessage } from "../../runtime/redaction.js";
import type { ManagedClusterObject } from "./managed-cluster.js";
import { OcmCondition } from "./names.js";
import type { Phase } from "./scope.js";

export const RegistrationCondition = { Registered: "Registered", Joined: "Joined" } as const;
type Domain = Omit<ConditionInput, "type" | "observedGeneration">;

/** The cluster sleeps or is going to: OCM losing it is expected then. */
export function hibernating(cd: ClusterObject): boolean {
  const observed = cd.status?.powerState;
  return cd.spec.powerState === "Hibernating" || observed === "Hibernating" || observed === "Stopping";
}

/** Slipway's side: the hub objects and the spoke job. */
export function registeredCondition(
  phase: Phase | undefined,
  message: string | undefined,
  record?: RegistrationStatus,
  error?: unknown,
): Domain {
  if (error instanceof TerminalError)
    return { status: "False", reason: error.reason, message: safeMessage(error.message) };
  if (error !== undefined) {
    const text = error instanceof Error ? error.message : String(error);
    return {
      status: "Unknown",
      reason: Reason.RetryingAfterError,
      message: safeMessage(`Will retry: ${text}`),
    };
  }
  switch (phase) {
    case "Registered":
    case "Pausing":
    case "Paused":
      return {
        status: "True",
        reason: Reason.Registered,
        message:
          message ?? `Registered with the hub as ManagedCluster ${record?.managedClusterName ?? ""}`.trim(),
      };
    case "Registering":
      if (record?.registeredAt && record.result !== "Failed")
        return {
          status: "True",
          reason: Reason.Registered,
          message: `Registered since ${record.registeredAt}; refreshing the agent's material on the cluster (job ${record.jobId})`,
        };
      if (record?.result === "Failed")
        return {
          status: "False",
          reason: Reason.RegistrationFailed,
          message: record.message ?? "the registration job failed",
        };
      return { status: "False", reason: Reason.Registering, message: message ?? "Registering with the hub" };
    case "NameTaken":
      return {
        status: "False",
        reason: Reason.ManagedClusterNameTaken,
        message: message ?? "the name is taken",
      };
    case "Deregistering":
      return {
        status: "False",
        reason: Reason.Deregistering,
        message: message ?? "Deregistering from the hub",
      };
    case "Disabled":
    case "Deregistered":
      return {
        status: "False",
        reason: Reason.RegistrationDisabled,
        message: message ?? "Registration is disabled",
      };
    default:
      return {
        status: "Unknown",
        reason: Reason.WaitingForProvisioning,
        message: message ?? "Registration starts once the cluster is provisioned and running",
      };
  }
}

function ocmCondition(mc: ManagedClusterObject | undefined, type: string) {
  return mc?.status?.conditions?.find((c) => c.type === type);
}

/** OCM's reason when it is one a condition can carry, else ours. */
function ocmReason(reason: string | undefined, fallback: string): string {
  return reason && isValidReason(reason) ? reason : fallback;
}

/**
 * OCM's verdict, mirrored: Joined follows ManagedClusterConditionAvailable once the agent has joined, with OCM's
 * own reason and message. While the cluster hibernates OCM cannot reach it (Unknown after five missed leases, or
 * False when the API server stopped before the agent): that is expected and shown as Unknown, reason Hibernating.
 */
export function joinedCondition(
  mc: ManagedClusterObject | undefined,
  phase: Phase | undefined,
  sleeping: boolean,
): Domain {
  if (phase === "Disabled" || phase === "Deregistered" || phase === "Deregistering")
    return {
      status: "False",
      reason: Reason.RegistrationDisabled,
      message: "The cluster is not registered with the hub",
    };
  if (phase === "WaitingForProvisioning" || phase === "NameTaken")
    return {
      status: "Unknown",
      reason: Reason.WaitingForProvisioning,
      message: "The cluster is not registered yet",
    };
  const joined = ocmCondition(mc, OcmCondition.Joined);
  const available = ocmCondition(mc, OcmCondition.Available);
  if (sleeping && available?.status !== "True") {
    const ocm = available
      ? `; OCM reports ${available.reason ?? available.status}: ${available.message ?? ""}`
      : "";
    return {
      status: "Unknown",
      reason: Reason.Hibernating,
      message: safeMessage(
        `The cluster hibernates and its agent is stopped, so OCM cannot reach it, as expected${ocm}`,
      ),
    };
  }
  if (!mc || joined?.status !== "True") {
    const accepted = ocmCondition(mc, OcmCondition.HubAccepted);
    if (accepted?.status === "False")
      return {
        status: "False",
        reason: ocmReason(accepted.reason, Reason.WaitingForAgent),
        message: safeMessage(accepted.message ?? ""),
      };
    return {
      status: "Unknown",
      reason: Reason.WaitingForAgent,
      message: "Waiting for OCM's agent to join the hub",
    };
  }
  if (!available)
    return {
      status: "Unknown",
      reason: Reason.WaitingForAgent,
      message: "Joined; OCM has not reported the cluster available yet",
    };
  return {
    status: available.status === "True" ? "True" : available.status === "False" ? "False" : "Unknown",
    reason: ocmReason(available.reason, Reason.WaitingForAgent),
    message: safeMessage(`OCM: ${available.message ?? available.status}`),
  };
}

/** The two conditions this controller owns, keeping their transition times from the stored ones. */
export function registrationConditions(
  stored: readonly Condition[] | undefined,
  registered: Domain,
  joined: Domain,
  observedGeneration: number | undefined,
  now: Date,
): Condition[] {
  const mine = (stored ?? []).filter(
    (c) => c.type === RegistrationCondition.Registered || c.type === RegistrationCondition.Joined,
  );
  let list = setCondition(
    mine,
    { type: RegistrationCondition.Registered, ...registered, observedGeneration },
    now,
  );
  list = setCondition(list, { type: RegistrationCondition.Joined, ...joined, observedGeneration }, now);
  return list;
}
