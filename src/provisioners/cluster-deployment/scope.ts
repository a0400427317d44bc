import type { ClusterDeployment } from "../../api/index.js";
import type { SlipwayConfig } from "../../runtime/config.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import type { StackJobQueue, StackScope } from "../stack-resource/index.js";

export type { StackStatus } from "../../api/index.js";

export interface Dependencies {
  kube: KubeClient;
  /** The "pulumi" queue, where this kind's stack jobs go. */
  queue: StackJobQueue;
  config: SlipwayConfig;
  /** Records a Kubernetes Event on the resource. */
  event: (
    cd: ClusterDeployment,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
  ) => Promise<void>;
}

/**
 * What one reconcile found and decided; status.ts turns it into the status in one place. A phase that cannot
 * progress throws a TerminalError (the one stall mechanism, see src/runtime/README.md); nothing here says so.
 */
export interface ClusterDeploymentScope extends StackScope {
  cd: ClusterDeployment;
  deps: Dependencies;
  /** The status being built, starting from the stored one. Only `stack` and the fields below are ours. */
  status: NonNullable<ClusterDeployment["status"]>;
  /** The last stack run found the cluster differs from the spec (processes died, say). */
  drift?: string;
}
