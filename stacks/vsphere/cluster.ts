import * as pulumi from "@pulumi/pulumi";
import { ClusterComponent } from "../cluster-component.js";
import { requireCredentials } from "../credentials.js";
import type { ClusterStackOutputValues } from "../types.js";
import type { VSphereClusterInputs } from "./inputs.js";
import { VSphereControlPlane } from "./provider.js";

/**
 * One `vsphere` cluster: its VMs cloned from the spec's template (control plane and node pools), hibernated by
 * powering them off, and the SIMULATED guest of its first control plane VM (simulated-guest.ts).
 */
export class VSphereCluster extends ClusterComponent {
  constructor(
    name: string,
    inputs: VSphereClusterInputs,
    credentials: pulumi.Output<Record<string, string>>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("slipway:vsphere:Cluster", name, {}, opts);
    const controlPlane = new VSphereControlPlane(
      `${name}-vms`,
      {
        clusterName: inputs.clusterName,
        clusterUID: inputs.clusterUID,
        powerState: inputs.powerState,
        platform: inputs.platform,
        dataDir: inputs.dataDir,
        binDir: inputs.binDir,
        credentials,
      },
      { parent: this },
    );
    this.exposeOutputs(controlPlane);
  }
}

/** The vsphere program's outputs: a cluster's, and `note`, which status.stack.message shows. */
export type VSphereClusterOutputs = ClusterStackOutputValues & { note: pulumi.Output<string> };

/**
 * The `vsphere` platform's ClusterDeployment program: the credentials first, then the cluster. Its `note` says, in
 * the cluster's status, that the guest is simulated.
 */
export function program(inputs: VSphereClusterInputs): () => Promise<VSphereClusterOutputs> {
  return async () => {
    const credentials = requireCredentials();
    const cluster = new VSphereCluster(inputs.clusterName, inputs, credentials);
    return { ...cluster.outputs(), note: pulumi.output(simulatedGuestNote(inputs.dataDir)) };
  };
}

/** The words status.stack.message carries for a vsphere cluster. */
export function simulatedGuestNote(dataDir: string): string {
  return `the guest of the first control plane VM is SIMULATED: a local control plane in ${dataDir} on the worker (docs/platforms/vsphere.md)`;
}
