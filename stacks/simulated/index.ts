import * as pulumi from "@pulumi/pulumi";
import { ClusterComponent } from "../cluster-component.js";
import type { ClusterStackOutputValues } from "../types.js";
import { validateSimulatedInputs, type SimulatedClusterInputs } from "./inputs.js";
import { SimulatedControlPlane } from "./provider.js";

export { validateSimulatedInputs, type SimulatedClusterInputs } from "./inputs.js";

/**
 * One `simulated` cluster, for scale and speed work (like Cluster API's in-memory backend): no processes, its state
 * lives in the stack, each phase takes the configured time. Its kubeconfig says it is simulated.
 */
export class SimulatedCluster extends ClusterComponent {
  constructor(name: string, inputs: SimulatedClusterInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:simulated:Cluster", name, {}, opts);
    const controlPlane = new SimulatedControlPlane(`${name}-control-plane`, validateSimulatedInputs(inputs), {
      parent: this,
    });
    this.exposeOutputs(controlPlane);
  }
}

/** The `simulated` platform's Pulumi program. */
export function program(inputs: SimulatedClusterInputs): () => Promise<ClusterStackOutputValues> {
  return async () => {
    const cluster = new SimulatedCluster(validateSimulatedInputs(inputs).clusterName, inputs);
    return cluster.outputs();
  };
}
