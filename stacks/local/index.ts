import * as pulumi from "@pulumi/pulumi";
import type { ClusterStackOutputValues, ObservedPowerState } from "../types.js";
import { validateLocalInputs, type LocalClusterInputs } from "./inputs.js";
import { ControlPlane } from "./provider.js";

export { validateLocalInputs, type LocalClusterInputs } from "./inputs.js";

/** One `local` cluster: a control plane on this machine, hibernated by stopping its processes. */
export class LocalCluster extends pulumi.ComponentResource {
  readonly apiURL: pulumi.Output<string>;
  readonly caData: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly infraID: pulumi.Output<string>;
  readonly powerState: pulumi.Output<ObservedPowerState>;

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

/** The `local` platform's Pulumi program: validates the inputs, declares the cluster, returns its outputs. */
export function program(inputs: LocalClusterInputs): () => Promise<ClusterStackOutputValues> {
  return async () => {
    const valid = validateLocalInputs(inputs);
    const cluster = new LocalCluster(valid.clusterName, valid);
    return {
      apiURL: cluster.apiURL,
      caData: cluster.caData,
      kubeconfig: cluster.kubeconfig,
      infraID: cluster.infraID,
      powerState: cluster.powerState,
    };
  };
}
