import type * as pulumi from "@pulumi/pulumi";

/** What the spec asks for. Provision, hibernate and resume are all `up` with one of these. */
export type DesiredPowerState = "Running" | "Hibernating";

/**
 * What a stack reports. `Stopped` means the spec asks for Running but nothing runs (processes died, VMs powered off
 * behind our back): drift that the next `up` repairs.
 */
export type ObservedPowerState = "Running" | "Hibernating" | "Stopped";

/** The stack outputs every cluster platform produces. `kubeconfig` is always a secret output. */
export interface ClusterStackOutputs {
  apiURL: string;
  /** Base64 PEM of the cluster CA, as in a kubeconfig's certificate-authority-data. */
  caData: string;
  /** Admin kubeconfig. Secret. */
  kubeconfig: string;
  /** Stable for the cluster's lifetime, unique across re-creations (Hive's infraID). */
  infraID: string;
  powerState: ObservedPowerState;
  /**
   * After a refresh: what differs from the spec that powerState does not show ("node pool batch has 1 node, the
   * spec asks for 3"), so that the controller's next `up` repairs it; "" when nothing does. Never secret.
   */
  drift: string;
}

/** The same outputs as Pulumi outputs, as a program returns them. */
export type ClusterStackOutputValues = {
  [K in keyof ClusterStackOutputs]: pulumi.Output<ClusterStackOutputs[K]>;
};

/** Names of the outputs that are secret, for every cluster platform. */
export const CLUSTER_SECRET_OUTPUTS: readonly (keyof ClusterStackOutputs)[] = ["kubeconfig"];
