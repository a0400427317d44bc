import * as pulumi from "@pulumi/pulumi";
import { ClusterComponent } from "../cluster-component.js";
import type { ClusterStackOutputValues } from "../types.js";
import { validateLocalInputs, type LocalClusterInputs } from "./inputs.js";
import { ControlPlane } from "./provider.js";

export { validateLocalInputs, type LocalClusterInputs } from "./inputs.js";

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
        controllerManager: inputs.controllerManager !== false,
        kubernetesVersion: inputs.kubernetesVersion,
      },
      { parent: this },
    );
    this.exposeOutputs(controlPlane);
  }
}

/** The `local` platform's Pulumi program: validates the inputs, declares the cluster, returns its outputs. */
export function program(inputs: LocalClusterInputs): () => Promise<ClusterStackOutputValues> {
  return async () => {
    const valid = validateLocalInputs(inputs);
    const cluster = new LocalCluster(valid.clusterName, valid);
    return cluster.outputs();
  };
}
