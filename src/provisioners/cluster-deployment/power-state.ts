/** A ClusterDeployment's power state: what the spec asks for, and what a stack run's result says it is now. */
import type { ClusterDeployment } from "../../api/index.js";
import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import type { StackJobResult, StackOperation } from "../../queue/stack-job.js";
import { powerStateAsQueued } from "../stack-resource/index.js";
import type { ClusterDeploymentScope, StackStatus } from "./scope.js";

export function desiredPowerState(cd: ClusterDeployment): "Running" | "Hibernating" {
  return cd.spec.powerState === "Hibernating" ? "Hibernating" : "Running";
}

/** As an operation is queued: Provisioning, Stopping, Starting or Deprovisioning. */
export function powerStateAsStarted(scope: ClusterDeploymentScope, type: StackOperation): void {
  const { status } = scope;
  status.powerState = powerStateAsQueued(type, desiredPowerState(scope.cd), status, "Provisioning");
}

/**
 * A finished run's word on the power state. A refresh that finds the other state than the spec asks for is drift
 * (Unknown until the repairing up); one that finds other changes (a node pool resized, resources deleted outside
 * Slipway) is drift too, repaired by the next up. An up records when the cluster was provisioned, resumed or
 * hibernated, with an Event.
 */
export function powerStateFromResult(
  scope: ClusterDeploymentScope,
  last: StackStatus,
  result: StackJobResult,
): void {
  const { status } = scope;
  const previous = status.powerState;
  if (result.powerState) {
    if (last.type === "refresh" && result.powerState !== desiredPowerState(scope.cd)) {
      scope.drift = `the cluster is ${result.powerState} but the spec asks for ${desiredPowerState(scope.cd)}`;
      status.powerState = "Unknown";
      void scope.deps.event(scope.cd, "Warning", Reason.DriftDetected, scope.drift);
      return;
    }
    const drift = last.type === "refresh" ? driftBeyondPowerState(result) : undefined;
    if (drift) {
      // Running as asked, but not as the spec has it: the next up repairs it.
      scope.drift = drift;
      void scope.deps.event(scope.cd, "Warning", Reason.DriftDetected, drift);
    }
    status.powerState =
      result.powerState === "Hibernating"
        ? "Hibernating"
        : result.powerState === "Running"
          ? "Running"
          : "Unknown";
  } else if (last.type === "up" && !result.skipped) {
    status.powerState = desiredPowerState(scope.cd);
  }
  const at = result.finishedAt;
  if (last.type === "up") {
    status.provisionedAt ??= at;
    if (status.powerState === "Running" && previous !== "Running" && previous !== "Provisioning")
      status.lastResumedAt = at;
    if (status.powerState === "Hibernating" && previous !== "Hibernating") status.lastHibernatedAt = at;
    void scope.deps.event(scope.cd, "Normal", powerEventReason(status.powerState), last.message ?? "");
  }
}

function powerEventReason(powerState: string | undefined): string {
  if (powerState === "Running") return Reason.Running;
  if (powerState === "Hibernating") return Reason.Hibernating;
  return powerState === undefined ? Reason.Up : Reason.Unknown;
}

/**
 * What a refresh found changed outside Slipway besides the power state: what the platform says (the stack output
 * `drift`, a cloud node pool resized, say), and resources the refresh found deleted (a node group deleted in the
 * cloud's console). Undefined when nothing.
 */
export function driftBeyondPowerState(result: StackJobResult): string | undefined {
  const deleted = result.resourceChanges.delete ?? 0;
  const words = [
    result.drift,
    deleted > 0
      ? `${deleted} resource${deleted === 1 ? " was" : "s were"} deleted outside Slipway`
      : undefined,
  ].filter(Boolean);
  return words.length > 0 ? words.join("; ") : undefined;
}
