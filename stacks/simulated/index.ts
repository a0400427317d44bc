import * as pulumi from "@pulumi/pulumi";
import type { ClusterStackOutputValues, ObservedPowerState } from "../types.js";
import { validateSimulatedInputs, type SimulatedClusterInputs } from "./inputs.js";
import { SimulatedControlPlane } from "./provider.js";

export { validateSimulatedInputs, type SimulatedClusterInputs } from "./inputs.js";

/**
 * One `simulated` cluster, for scale and speed work (like Cluster API's in-memory backend): no processes, its state
 * lives in the stack, each phase takes the configured time. Its kubeconfig says it is simulated.
 */
export class SimulatedCluster extends pulumi.ComponentResource {
  readonly apiURL: pulumi.Output<string>;
  readonly caData: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly infraID: pulumi.Output<string>;
  readonly powerState: pulumi.Output<ObservedPowerState>;

  constructor(name: string, inputs: SimulatedClusterInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:simulated:Cluster", name, {}, opts);
    const controlPlane = new SimulatedControlPlane(`${name}-control-plane`, validateSimulatedInputs(inputs), {
      parent: this,
    });
    this.apiURL = controlPlane.apiURL;
    this.caData = controlPlane.caData;
    this.kubeconfig = pulumi.secret(controlPlane.kubeconfig);
    this.infraID = controlPlane.infraID;
    this.powerState = controlPlane.powerState;
    this.registerOutputs({
      apiURL: this.apiURL,
      caData: this.caData,
      kubeconfig: this.kubeconfig,
      infraID: this.infraID,
      powerState: this.powerState,
    });
  }
}

/** The `simulated` platform's Pulumi program. */
export function program(inputs: SimulatedClusterInputs): () => Promise<ClusterStackOutputValues> {
  return async () => {
    const cluster = new SimulatedCluster(validateSimulatedInputs(inputs).clusterName, inputs);
    return {
      apiURL: cluster.apiURL,
      caData: cluster.caData,
      kubeconfig: cluster.kubeconfig,
      infraID: cluster.infraID,
      powerState: cluster.powerState,
    };
  };
}
