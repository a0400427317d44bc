/** A HostedCluster's power state: what the spec asks for, and what a stack run's result says it is now. */
import type { HostedCluster } from "../../api/index.js";
import { HostedClusterReason as Reason } from "../../api/reasons.js";
import type { HostedClusterScope, HostedStackJobResult, StackStatus } from "./scope.js";

export function desiredPowerState(hc: HostedCluster): "Running" | "Hibernating" {
  return hc.spec.powerState === "Hibernating" ? "Hibernating" : "Running";
}

/**
 * A finished run's word on the control plane: whether its pods are ready (platforms that run it as workloads), drift
 * a refresh found, and for an up the power state it reached, with its timestamps and an Event.
 */
export function powerStateFromResult(
  scope: HostedClusterScope,
  last: StackStatus,
  result: HostedStackJobResult,
): void {
  const { status } = scope;
  if (last.type === "destroy" || result.skipped) return;
  // Platforms that run the control plane as workloads say whether its pods are ready; the others say nothing.
  scope.waitingForPods =
    result.controlPlaneReady === false
      ? (result.controlPlaneMessage ?? "waiting for the control plane's pods")
      : undefined;
  const desired = desiredPowerState(scope.hc);
  const observed = result.powerState;
  if (last.type === "refresh" && observed && observed !== desired) {
    scope.drift = `the control plane is ${observed} but the spec asks for ${desired}`;
    void scope.event(scope.hc, "Warning", Reason.DriftDetected, scope.drift);
    return;
  }
  if (last.type !== "up") return;
  const previous = status.powerState;
  status.powerState =
    observed === "Hibernating" ? "Hibernating" : observed === "Running" ? "Running" : desired;
  status.version = scope.hc.spec.release.version;
  const at = result.finishedAt;
  if (status.powerState === "Running") status.provisionedAt ??= at;
  if (status.powerState === "Running" && previous && !["Running", "Provisioning"].includes(previous))
    status.lastResumedAt = at;
  if (status.powerState === "Hibernating" && previous !== "Hibernating") status.lastHibernatedAt = at;
  void scope.event(
    scope.hc,
    "Normal",
    status.powerState === "Hibernating" ? Reason.Hibernating : Reason.ControlPlaneAvailable,
    last.message ?? "",
  );
}
