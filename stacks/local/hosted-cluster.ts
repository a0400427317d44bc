import type * as pulumi from "@pulumi/pulumi";
import { ClusterComponent } from "../cluster-component.js";
import type { ClusterStackOutputValues } from "../types.js";
import type { LocalHostedClusterInputs } from "./hosted-inputs.js";
import { HostedControlPlaneResource } from "./hosted-provider.js";

/** One `local` hosted cluster: its control plane's processes on this machine, its objects in the shared etcd. */
export class LocalHostedCluster extends ClusterComponent {
  constructor(name: string, inputs: LocalHostedClusterInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:local:HostedCluster", name, {}, opts);
    const controlPlane = new HostedControlPlaneResource(
      `${name}-control-plane`,
      {
        clusterName: inputs.clusterName,
        dataDir: inputs.dataDir,
        binDir: inputs.binDir,
        sharedEtcdDir: inputs.sharedEtcdDir,
        etcdPrefix: inputs.etcdPrefix,
        powerState: inputs.powerState,
        // Two entries make a dual-stack cluster: both flags take a comma-separated pair.
        serviceNetwork: inputs.serviceNetwork.map((n) => n.cidr).join(","),
        clusterNetwork: inputs.clusterNetwork.map((n) => n.cidr).join(","),
      },
      { parent: this },
    );
    this.exposeOutputs(controlPlane);
  }
}

/** The `local` platform's HostedCluster program. */
export function hostedProgram(inputs: LocalHostedClusterInputs): () => Promise<ClusterStackOutputValues> {
  return async () => new LocalHostedCluster(inputs.clusterName, inputs).outputs();
}
