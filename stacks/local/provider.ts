import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { distDir } from "../../src/runtime/paths.js";
import { TerminalStackError } from "../../src/errors/index.js";
import type { ControlPlaneArgs, ControlPlaneState } from "./operations.js";
import type { ObservedPowerState } from "../types.js";

/**
 * The provider's methods run in Pulumi's dynamic-provider process, which gets them as source text from Pulumi's
 * closure serializer and runs them as plain Node: it cannot load TypeScript, and the serializer would drag every
 * captured module along. So each method captures only this absolute file URL of the compiled operations
 * (`npm run build` writes dist/) and the tiny `loadOperations` below (with one string constant), and does the work
 * in dist/stacks/local/operations.js.
 */
const operationsPath = join(distDir, "stacks", "local", "operations.js");
const operationsUrl: string = pathToFileURL(operationsPath).href;

type Operations = typeof import("./operations.js");

/** The provider process can only run compiled code: stop with a clear reason when it has not been built. */
export function assertOperationsBuilt(): void {
  if (!existsSync(operationsPath)) {
    throw new TerminalStackError(
      "ProviderCodeMissing",
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

const controlPlaneProvider: pulumi.dynamic.ResourceProvider<ControlPlaneArgs, ControlPlaneState> = {
  async create(inputs) {
    return (await loadOperations(operationsUrl)).create(inputs);
  },
  async read(id, props) {
    return (await loadOperations(operationsUrl)).read(id, props as ControlPlaneState);
  },
  async diff(_id, olds, news) {
    return (await loadOperations(operationsUrl)).diff(olds, news);
  },
  async update(_id, olds, news) {
    return (await loadOperations(operationsUrl)).update(olds, news);
  },
  async delete(_id, props) {
    await (await loadOperations(operationsUrl)).remove(props);
  },
};

export type ControlPlaneInputs = { [K in keyof ControlPlaneArgs]: pulumi.Input<ControlPlaneArgs[K]> };

/**
 * A real control plane on this machine (etcd + kube-apiserver + kube-controller-manager processes). Its
 * kubeconfig output is secret in the stack state.
 */
export class ControlPlane extends pulumi.dynamic.Resource {
  // `declare`: class fields would be initialised after super() and overwrite the outputs Pulumi sets.
  declare readonly apiURL: pulumi.Output<string>;
  declare readonly caData: pulumi.Output<string>;
  declare readonly kubeconfig: pulumi.Output<string>;
  declare readonly infraID: pulumi.Output<string>;
  declare readonly powerState: pulumi.Output<ObservedPowerState>;
  declare readonly running: pulumi.Output<boolean>;
  declare readonly kubernetesVersion: pulumi.Output<string>;

  constructor(name: string, args: ControlPlaneInputs, opts?: pulumi.CustomResourceOptions) {
    assertOperationsBuilt();
    super(
      controlPlaneProvider,
      name,
      {
        ...args,
        apiURL: undefined,
        caData: undefined,
        kubeconfig: undefined,
        infraID: undefined,
        running: undefined,
      },
      { ...opts, additionalSecretOutputs: ["kubeconfig"] },
      "local",
      "ControlPlane",
    );
  }
}
