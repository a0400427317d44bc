import * as pulumi from "@pulumi/pulumi";
import type { ObservedPowerState } from "../types.js";

/**
 * What one platform's control plane does, run in Pulumi's dynamic-provider process. `powerState` in the state is
 * what was observed; the args carry what the spec asks for.
 */
export interface ControlPlaneOperations<Args, State> {
  create(args: Args): Promise<{ id: string; outs: State }>;
  /** What really exists, so `refresh` records drift; an empty result means the resource is gone. */
  read(id: string, state: State): Promise<{ id?: string; props?: State }>;
  diff(olds: State, news: Args): Promise<pulumi.dynamic.DiffResult>;
  update(olds: State, news: Args): Promise<{ outs: State }>;
  remove(state: State): Promise<void>;
}

/**
 * The dynamic provider over a platform's operations. Pulumi serializes these methods to source text with
 * everything they capture (closure serialization) and runs them in a separate plain-Node process, so `load` must
 * capture nothing but self-contained functions and strings: see stacks/README.md.
 */
export function controlPlaneProvider<Args, State>(
  load: () => Promise<ControlPlaneOperations<Args, State>>,
): pulumi.dynamic.ResourceProvider<Args, State> {
  return {
    async create(args) {
      return (await load()).create(args);
    },
    async read(id, props) {
      return (await load()).read(id, props as State);
    },
    async diff(_id, olds, news) {
      return (await load()).diff(olds, news);
    },
    async update(_id, olds, news) {
      return (await load()).update(olds, news);
    },
    async delete(_id, props) {
      await (await load()).remove(props);
    },
  };
}

/** A dynamic resource's inputs as Pulumi inputs. */
export type ResourceInputs<Args> = { [K in keyof Args]: pulumi.Input<Args[K]> };

/**
 * A cluster's control plane as one dynamic resource (`<platform>:ControlPlane`) with the outputs every platform
 * reports; its kubeconfig output is secret in the stack state.
 */
export abstract class ControlPlaneResource extends pulumi.dynamic.Resource {
  // `declare`: class fields would be initialised after super() and overwrite the outputs Pulumi sets.
  declare readonly apiURL: pulumi.Output<string>;
  declare readonly caData: pulumi.Output<string>;
  declare readonly kubeconfig: pulumi.Output<string>;
  declare readonly infraID: pulumi.Output<string>;
  declare readonly powerState: pulumi.Output<ObservedPowerState>;

  protected constructor(
    provider: pulumi.dynamic.ResourceProvider,
    platform: string,
    name: string,
    args: Record<string, pulumi.Input<unknown>>,
    /** Outputs of this platform's state beyond the common ones. */
    extraOutputs: readonly string[],
    opts?: pulumi.CustomResourceOptions,
  ) {
    const outputs = ["apiURL", "caData", "kubeconfig", "infraID", ...extraOutputs];
    super(
      provider,
      name,
      { ...args, ...Object.fromEntries(outputs.map((key) => [key, undefined])) },
      // A platform's own secret state (vsphere's vCenter credentials, which read and delete need) stays secret too.
      { ...opts, additionalSecretOutputs: ["kubeconfig", ...(opts?.additionalSecretOutputs ?? [])] },
      platform,
      "ControlPlane",
    );
  }
}

/** Resources one run of a dynamic-provider cluster registers: stack, component, control plane, its provider. */
export const DYNAMIC_CLUSTER_RESOURCES = 4;
