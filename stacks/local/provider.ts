import type * as pulumi from "@pulumi/pulumi";
import { compiledOperations, loadCompiled } from "../dynamic/compiled-operations.js";
import { controlPlaneProvider, ControlPlaneResource, type ResourceInputs } from "../dynamic/control-plane.js";
import type { ControlPlaneArgs } from "./operations.js";

/**
 * The provider's methods run in Pulumi's dynamic-provider process, which gets them as source text from Pulumi's
 * closure serializer and runs them as plain Node: it cannot load TypeScript, and the serializer would drag every
 * captured module along. So each method captures only the file URL of the compiled operations (`npm run build`
 * writes dist/) and `loadCompiled` (stacks/dynamic), and does the work in dist/stacks/local/operations.js.
 */
const compiled = compiledOperations("local", import.meta.url);
const operationsUrl: string = compiled.url;
const operationsInDist: string = compiled.inDist;

type Operations = typeof import("./operations.js");

/** The provider process can only run compiled code: stop with a clear reason when it has not been built. */
export function assertOperationsBuilt(): void {
  compiled.assertBuilt();
}

export type ControlPlaneInputs = ResourceInputs<ControlPlaneArgs>;

/** A real control plane on this machine (etcd + kube-apiserver + kube-controller-manager processes). */
export class ControlPlane extends ControlPlaneResource {
  declare readonly running: pulumi.Output<boolean>;
  declare readonly kubernetesVersion: pulumi.Output<string>;

  constructor(name: string, args: ControlPlaneInputs, opts?: pulumi.CustomResourceOptions) {
    assertOperationsBuilt();
    super(
      controlPlaneProvider(() => loadCompiled<Operations>(operationsUrl, operationsInDist)),
      "local",
      name,
      args,
      ["running"],
      opts,
    );
  }
}
