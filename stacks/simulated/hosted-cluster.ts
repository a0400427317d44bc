import type * as pulumi from "@pulumi/pulumi";
import type { Infer } from "../../src/api/schema.js";
import { ClusterComponent } from "../cluster-component.js";
import { parseInputs } from "../cluster-inputs.js";
import { hostedClusterInputs } from "../hosted-cluster-inputs.js";
import type { ClusterStackOutputValues } from "../types.js";
import type { SimulatedClusterArgs } from "./inputs.js";
import { SimulatedControlPlane } from "./provider.js";
import { simulatedHostedClusterPlatform } from "../../src/api/platforms/simulated.js";

/** The simulated HostedCluster program's inputs: the hosted fields every platform gets, nothing from the host. */
export const simulatedHostedInputs = hostedClusterInputs(
  simulatedHostedClusterPlatform({ immutable: false }),
  {},
);
export type SimulatedHostedClusterInputs = Infer<typeof simulatedHostedInputs>;

export function validateSimulatedHostedInputs(raw: unknown): SimulatedHostedClusterInputs {
  return parseInputs("simulated", simulatedHostedInputs, raw);
}

/**
 * The simulated control plane's timings from a hosted spec: it has provisionSeconds and destroySeconds; resuming
 * a hosted control plane is starting it again (provisionSeconds), hibernating it is stopping it (destroySeconds).
 */
export function simulatedHostedArgs(inputs: SimulatedHostedClusterInputs): SimulatedClusterArgs {
  const p = inputs.platform;
  return {
    clusterName: inputs.clusterName,
    powerState: inputs.powerState,
    kubernetesVersion: inputs.version,
    region: p.region ?? "",
    provisionSeconds: p.provisionSeconds,
    hibernateSeconds: p.destroySeconds,
    resumeSeconds: p.provisionSeconds,
    destroySeconds: p.destroySeconds,
    jitterPercent: p.jitterPercent,
    failures: [],
    attempt: inputs.attempt,
  };
}

/** A simulated hosted control plane: no processes, a record in the stack, labelled simulated in its kubeconfig. */
export class SimulatedHostedCluster extends ClusterComponent {
  constructor(name: string, inputs: SimulatedHostedClusterInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:simulated:HostedCluster", name, {}, opts);
    const controlPlane = new SimulatedControlPlane(`${name}-control-plane`, simulatedHostedArgs(inputs), {
      parent: this,
    });
    this.exposeOutputs(controlPlane);
  }
}

export function hostedProgram(inputs: SimulatedHostedClusterInputs): () => Promise<ClusterStackOutputValues> {
  return async () => new SimulatedHostedCluster(inputs.clusterName, inputs).outputs();
}
