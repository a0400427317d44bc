import * as pulumi from "@pulumi/pulumi";
import type { AWSClusterInputs } from "./inputs.js";

/**
 * An EKS cluster with managed node groups in a VPC of its own, once the clouds issue fills it in. Today it
 * declares nothing: no VPC, no cluster, no node group, and so no outputs (an apiURL or a kubeconfig would be a
 * lie). The platform is marked unimplemented, so no ClusterDeployment reaches it.
 */
export class AWSCluster extends pulumi.ComponentResource {
  constructor(name: string, _inputs: AWSClusterInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:aws:Cluster", name, {}, opts);
    this.registerOutputs({});
  }
}

/** The `aws` platform's ClusterDeployment program: the cluster component, with no outputs yet. */
export function program(inputs: AWSClusterInputs): () => Promise<Record<string, never>> {
  return async () => {
    new AWSCluster(inputs.clusterName, inputs);
    return {};
  };
}
