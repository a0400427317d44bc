import type * as pulumi from "@pulumi/pulumi";
import { ClusterComponent } from "../cluster-component.js";
import type { ClusterStackOutputValues } from "../types.js";
import type { LocalClusterInputs } from "./inputs.js";
import { ControlPlane } from "./provider.js";

/** One `local` cluster: a control plane on this machine, hibernated by stopping its processes. */
export class LocalCluster extends ClusterComponent {
  constructor(name: string, inputs: LocalClusterInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:local:Cluster", name, {}, opts);
    const controlPlane = new ControlPlane(
      `${name}-control-plane`,
      {
        clusterName: inputs.clusterName,
        dataDir: inputs.dataDir,
        binDir: inputs.binDir,
        powerState: inputs.powerState,
        controllerManager: inputs.platform.controllerManager,
        kubernetesVersion: inputs.platform.version,
      },
      { parent: this },
    );
    this.exposeOutputs(controlPlane);
  }
}

/** The `local` platform's ClusterDeployment program: declares the cluster, returns its outputs. */
export function program(inputs: LocalClusterInputs): () => Promise<ClusterStackOutputValues> {
  return async () => new LocalCluster(inputs.clusterName, inputs).outputs();
}
