import { ClusterDeploymentReason } from "../../src/api/reasons.js";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as pulumi from "@pulumi/pulumi";
import { TerminalStackError } from "../../src/errors/index.js";
import { controlPlaneProvider, ControlPlaneResource, type ResourceInputs } from "../dynamic/control-plane.js";
import type { ControlPlaneArgs } from "./operations.js";

/**
 * The provider's methods run in Pulumi's dynamic-provider process, which gets them as source text from Pulumi's
 * closure serializer and runs them as plain Node: it cannot load TypeScript, and the serializer would drag every
 * captured module along. So each method captures only this absolute file URL of the compiled operations
 * (`npm run build` writes dist/) and the tiny `loadOperations` below (with one string constant), and does the work
 * in dist/stacks/local/operations.js.
 */
const operationsPath = compiledOperationsPath(fileURLToPath(import.meta.url));
const operationsUrl: string = pathToFileURL(operationsPath).href;

type Operations = typeof import("./operations.js");

/** Compiled, this file sits next to operations.js in dist/; run from source (vitest, tsx), that is the checkout's dist/. */
function compiledOperationsPath(self: string): string {
  const here = dirname(self);
  return self.endsWith(".js")
    ? join(here, "operations.js")
    : join(here, "..", "..", "dist", "stacks", "local", "operations.js");
}

/** The provider process can only run compiled code: stop with a clear reason when it has not been built. */
export function assertOperationsBuilt(): void {
  if (!existsSync(operationsPath)) {
    throw new TerminalStackError(
      ClusterDeploymentReason.ProviderCodeMissing,
      `local platform: ${operationsPath} is missing; build Slipway (npm run build) before running local stacks`,
    );
  }
}

/** Where the operations are under dist/, for a runner that says where its dist/ is. */
const OPERATIONS_IN_DIST = "stacks/local/operations.js";

function loadOperations(url: string): Promise<Operations> {
  // The URL is baked into the stack's state, and `read`/`delete` run the provider recorded there: after Slipway
  // moved or was upgraded in another folder, that path is stale. The runner passes its own dist/ (as a file URL)
  // in SLIPWAY_DIST_URL to the CLI, which hands its environment to this process; it wins over the recorded one.
  const distUrl = process.env.SLIPWAY_DIST_URL;
  const target = distUrl ? `${distUrl.replace(/\/$/, "")}/${OPERATIONS_IN_DIST}` : url;
  // A native dynamic import written as a string: test runners (vitest) rewrite `import()` in the source into a
  // call to their own loader, which the serializer cannot carry to the provider process.
  const nativeImport = new Function("specifier", "return import(specifier)") as (
    specifier: string,
  ) => Promise<Operations>;
  return nativeImport(target);
}

export type ControlPlaneInputs = ResourceInputs<ControlPlaneArgs>;

/** A real control plane on this machine (etcd + kube-apiserver + kube-controller-manager processes). */
export class ControlPlane extends ControlPlaneResource {
  declare readonly running: pulumi.Output<boolean>;
  declare readonly kubernetesVersion: pulumi.Output<string>;

  constructor(name: string, args: ControlPlaneInputs, opts?: pulumi.CustomResourceOptions) {
    assertOperationsBuilt();
    super(
      controlPlaneProvider(() => loadOperations(operationsUrl)),
      "local",
      name,
      args,
      ["running"],
      opts,
    );
  }
}
