import * as pulumi from "@pulumi/pulumi";
import type { ClusterStackOutputValues, ObservedPowerState } from "./types.js";

/**
 * A cluster as one ComponentResource: every platform's cluster exposes the same outputs, taken from the resource
 * that owns its control plane, with the kubeconfig made secret.
 */
export abstract class ClusterComponent extends pulumi.ComponentResource {
  apiURL!: pulumi.Output<string>;
  caData!: pulumi.Output<string>;
  kubeconfig!: pulumi.Output<string>;
  infraID!: pulumi.Output<string>;
  powerState!: pulumi.Output<ObservedPowerState>;
  drift!: pulumi.Output<string>;

  /** `drift` absent: the platform has nothing beyond its power state to report (local, simulated). */
  protected exposeOutputs(
    controlPlane: Omit<ClusterStackOutputValues, "powerState" | "drift"> & {
      powerState: pulumi.Output<ObservedPowerState>;
      drift?: pulumi.Output<string>;
    },
  ): void {
    this.apiURL = controlPlane.apiURL;
    this.caData = controlPlane.caData;
    this.kubeconfig = pulumi.secret(controlPlane.kubeconfig);
    this.infraID = controlPlane.infraID;
    this.powerState = controlPlane.powerState;
    this.drift = controlPlane.drift ?? pulumi.output("");
    this.registerOutputs(this.outputs());
  }

  /** What the stack program returns. */
  outputs(): ClusterStackOutputValues {
    return {
      apiURL: this.apiURL,
      caData: this.caData,
      kubeconfig: this.kubeconfig,
      infraID: this.infraID,
      powerState: this.powerState,
      drift: this.drift,
    };
  }
}
