import type * as pulumi from "@pulumi/pulumi";
import { compiledOperations, loadCompiled } from "../dynamic/compiled-operations.js";
import { controlPlaneProvider, ControlPlaneResource, type ResourceInputs } from "../dynamic/control-plane.js";
import type { HostedControlPlaneArgs } from "./hosted-operations.js";

/** As provider.ts, for the hosted control plane's operations (dist/stacks/local/hosted-operations.js). */
const local = compiledOperations("local", import.meta.url);
const compiled = {
  assertBuilt: () => local.assertBuilt(),
  url: local.url.replace(/operations\.js$/, "hosted-operations.js"),
  inDist: local.inDist.replace(/operations\.js$/, "hosted-operations.js"),
};
const operationsUrl: string = compiled.url;
const operationsInDist: string = compiled.inDist;

type Operations = typeof import("./hosted-operations.js");

/** The provider process can only run compiled code: ProviderCodeMissing when dist/ lacks it. */
export function assertHostedOperationsBuilt(): void {
  compiled.assertBuilt();
}

/**
 * A hosted control plane on this machine: kube-apiserver, kube-controller-manager and kube-scheduler processes over
 * the machine's shared etcd, under the cluster's own key prefix.
 */
export class HostedControlPlaneResource extends ControlPlaneResource {
  declare readonly running: pulumi.Output<boolean>;
  declare readonly kubernetesVersion: pulumi.Output<string>;

  constructor(
    name: string,
    args: ResourceInputs<HostedControlPlaneArgs>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    compiled.assertBuilt();
    super(
      controlPlaneProvider(() => loadCompiled<Operations>(operationsUrl, operationsInDist)),
      "local",
      name,
      args,
      ["running", "kubernetesVersion"],
      opts,
    );
  }
}
