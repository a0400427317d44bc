/** A HostedCluster as a stack-backed resource: what the shared stack phases (../stack-resource) need of it. */
import type { HostedCluster } from "../../api/index.js";
import { HostedClusterReason as Reason } from "../../api/reasons.js";
import { powerStateAsQueued, type StackResourceKind } from "../stack-resource/index.js";
import { desiredPowerState, powerStateFromResult } from "./power-state.js";
import type { HostedClusterScope, HostedStackJobResult } from "./scope.js";
import { HOSTED_CLUSTER_STACK_JOB } from "./stack-job.js";

export const hostedClusterStack: StackResourceKind<HostedCluster, HostedClusterScope> = {
  kind: "HostedCluster",
  jobType: HOSTED_CLUSTER_STACK_JOB,
  reasons: Reason,
  object: (scope) => scope.hc,
  kube: (scope) => scope.deps.kube,
  queue: (scope) => scope.deps.queue,
  config: (scope) => scope.deps.config,
  event: (scope, type, reason, message) => scope.event(scope.hc, type, reason, message),
  applyResult(scope, last, result: HostedStackJobResult) {
    const { status } = scope;
    if (result.apiURL) {
      status.apiURL = result.apiURL;
      const url = URL.canParse(result.apiURL) ? new URL(result.apiURL) : undefined;
      if (url?.hostname && url.port)
        status.controlPlaneEndpoint = { host: url.hostname, port: Number(url.port) };
    }
    if (result.infraID) status.infraID = result.infraID;
    if (result.kubeconfigSecret) status.kubeconfig = { name: result.kubeconfigSecret };
    powerStateFromResult(scope, last, result);
  },
  started(scope, type) {
    const { status } = scope;
    const desired = desiredPowerState(scope.hc);
    // A HostedCluster created hibernating is Stopping from the start: its control plane never serves.
    const first = desired === "Hibernating" ? "Stopping" : "Provisioning";
    status.powerState = powerStateAsQueued(type, desired, status, first);
  },
  writtenSecretName: (scope) => scope.status.kubeconfig?.name,
  leftBehind: () => "its control plane and data may be left behind",
};
