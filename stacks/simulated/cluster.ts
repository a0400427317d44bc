import type * as pulumi from "@pulumi/pulumi";
import { ClusterComponent } from "../cluster-component.js";
import { credentialsFingerprint, requireCredentials } from "../credentials.js";
import type { ClusterStackOutputValues } from "../types.js";
import { simulatedClusterArgs, type SimulatedClusterInputs } from "./inputs.js";
import { SimulatedControlPlane } from "./provider.js";

/**
 * One `simulated` cluster, for scale and speed work (like Cluster API's in-memory backend): no processes, its state
 * lives in the stack, each phase takes the configured time. Its kubeconfig says it is simulated.
 */
export class SimulatedCluster extends ClusterComponent {
  constructor(name: string, inputs: SimulatedClusterInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:simulated:Cluster", name, {}, opts);
    const controlPlane = new SimulatedControlPlane(`${name}-control-plane`, simulatedClusterArgs(inputs), {
      parent: this,
    });
    this.exposeOutputs(controlPlane);
  }
}

/** The simulated ClusterDeployment program's outputs: a cluster's, plus which credentials it was given. */
export type SimulatedClusterOutputs = ClusterStackOutputValues & { credentials?: pulumi.Output<string> };

/**
 * The `simulated` platform's ClusterDeployment program. With a credentialsRef it requires the credentials, as a
 * cloud program would, and reports which keys it received (not their values).
 */
export function program(inputs: SimulatedClusterInputs): () => Promise<SimulatedClusterOutputs> {
  return async () => {
    // Before declaring anything: a run without its credentials fails without touching the cluster.
    const credentials = inputs.platform.credentialsRef ? requireCredentials() : undefined;
    const cluster = new SimulatedCluster(inputs.clusterName, inputs);
    if (!credentials) return cluster.outputs();
    return { ...cluster.outputs(), credentials: credentialsFingerprint(credentials) };
  };
}
