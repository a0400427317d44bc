import type * as pulumi from "@pulumi/pulumi";
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

/** The `vsphere` platform's ClusterDeployment program: the credentials first, then the cluster. */
export function program(inputs: VSphereClusterInputs): () => Promise<ClusterStackOutputValues> {
  return async () => {
    const credentials = requireCredentials();
    return new VSphereCluster(inputs.clusterName, inputs, credentials).outputs();
  };
}
