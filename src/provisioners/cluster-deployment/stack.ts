/** A ClusterDeployment as a stack-backed resource: what the shared stack phases (../stack-resource) need of it. */
import type { ClusterDeployment } from "../../api/index.js";
import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { stackNameFor } from "../../queue/stack-job.js";
import type { StackResourceKind } from "../stack-resource/index.js";
import { platformName } from "./platform.js";
import { powerStateAsStarted, powerStateFromResult } from "./power-state.js";
import type { ClusterDeploymentScope } from "./scope.js";
import { CLUSTER_DEPLOYMENT_STACK_JOB } from "./stack-job.js";

export const clusterDeploymentStack: StackResourceKind<ClusterDeployment, ClusterDeploymentScope> = {
  kind: "ClusterDeployment",
  jobType: CLUSTER_DEPLOYMENT_STACK_JOB,
  reasons: Reason,
  object: (scope) => scope.cd,
  kube: (scope) => scope.deps.kube,
  queue: (scope) => scope.deps.queue,
  config: (scope) => scope.deps.config,
  event: (scope, type, reason, message) => scope.deps.event(scope.cd, type, reason, message),
  applyResult(scope, last, result) {
    const { status } = scope;
    if (result.apiURL) status.apiURL = result.apiURL;
    if (result.infraID) status.infraID = result.infraID;
    if (result.kubeconfigSecret) status.adminKubeconfigSecretRef = { name: result.kubeconfigSecret };
    powerStateFromResult(scope, last, result);
  },
  started: powerStateAsStarted,
  writtenSecretName: (scope) => scope.status.adminKubeconfigSecretRef?.name,
  leftBehind: ({ cd, status }) =>
    `stack ${desiredStackName(cd)} and everything it created (${platformName(cd)} cluster ${cd.spec.clusterName}` +
    `${status.infraID ? `, infraID ${status.infraID}` : ""}) may be left behind`,
};

function desiredStackName(cd: ClusterDeployment): string {
  return stackNameFor({
    namespace: cd.metadata!.namespace!,
    name: cd.metadata!.name!,
    uid: cd.metadata!.uid!,
  });
}
