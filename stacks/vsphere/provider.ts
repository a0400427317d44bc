import type * as pulumi from "@pulumi/pulumi";
import { compiledOperations, loadCompiled } from "../dynamic/compiled-operations.js";
import { controlPlaneProvider, ControlPlaneResource, type ResourceInputs } from "../dynamic/control-plane.js";
import type { VSphereControlPlaneArgs } from "./operations.js";

/**
 * The vsphere dynamic provider: like `local`'s, its methods capture only the compiled operations' URL and
 * `loadCompiled` (stacks/dynamic/compiled-operations.ts), and the work is in dist/stacks/vsphere/operations.js.
 */
const compiled = compiledOperations("vsphere", import.meta.url);
const operationsUrl: string = compiled.url;
const operationsInDist: string = compiled.inDist;

type Operations = typeof import("./operations.js");

export function assertOperationsBuilt(): void {
  compiled.assertBuilt();
}

export type VSphereControlPlaneInputs = ResourceInputs<VSphereControlPlaneArgs>;

/** A cluster's VMs on vCenter and the (simulated) guest of its first control plane VM, as one resource. */
export class VSphereControlPlane extends ControlPlaneResource {
  declare readonly drift: pulumi.Output<string>;
  declare readonly guest: pulumi.Output<string>;

  constructor(name: string, args: VSphereControlPlaneInputs, opts?: pulumi.CustomResourceOptions) {
    assertOperationsBuilt();
    super(
      controlPlaneProvider(() => loadCompiled<Operations>(operationsUrl, operationsInDist)),
      "vsphere",
      name,
      args,
      ["drift", "guest", "vms", "soapCalls"],
      // The vCenter credentials are in the state (refresh and delete log in with them): encrypted there.
      { ...opts, additionalSecretOutputs: ["credentials"] },
    );
  }
}
