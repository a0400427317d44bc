/**
 * What every cloud's NodePool program shares beside the join: the pool's identity on its cloud (tags, a name
 * stable for its lifetime), its size, its stack outputs, and the program around the cloud's own resources.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AnySchema, Infer } from "../../src/api/schema.js";
import { parseInputs } from "../cluster-inputs.js";
import { nodePoolHostInputs } from "../node-pool-inputs.js";
import type { StackDescription, StackProgram } from "../platform.js";
import { infraIDFor } from "./inputs.js";
import { NODE_POOL_LABEL } from "../../src/api/node-pool.js";
import { poolSize, type PoolSize } from "./pool-sizing.js";

/** A pool's identity on its cloud: a name stable for its lifetime and unique across re-creations, and its tags. */
export interface PoolIdentity {
  infraID: string;
  poolName: string;
  clusterName: string;
  poolUID: string;
}

export function poolIdentity(inputs: {
  poolName: string;
  clusterName: string;
  poolUID: string;
}): PoolIdentity {
  return { ...inputs, infraID: infraIDFor(inputs.poolName, inputs.poolUID) };
}

/** The tag keys of a pool's cloud resources, in Slipway's domain (AWS), or plain (Azure, GCP: no '/'). */
export function poolTags(id: PoolIdentity, userTags: Record<string, string> = {}): Record<string, string> {
  return {
    ...userTags,
    [NODE_POOL_LABEL]: id.poolName,
    "slipway.dev/hosted-cluster": id.clusterName,
    "slipway.dev/infra-id": id.infraID,
    "slipway.dev/nodepool-uid": id.poolUID,
  };
}

export function poolPlainTags(
  id: PoolIdentity,
  userTags: Record<string, string> = {},
  value: (v: string) => string = (v) => v,
): Record<string, string> {
  return {
    ...userTags,
    "slipway-nodepool": value(id.poolName),
    "slipway-hosted-cluster": value(id.clusterName),
    "slipway-infra-id": value(id.infraID),
    "slipway-nodepool-uid": value(id.poolUID),
  };
}

/**
 * The group's size: the count Slipway decided (spec.replicas, or its autoscaler's within autoScaling's bounds) as
 * the desired size, autoScaling's bounds (or the count) as min and max; zero while the HostedCluster hibernates.
 */
export function nodeGroupSize(inputs: {
  replicas: number;
  autoScaling?: { min: number; max: number };
  powerState: "Running" | "Hibernating";
}): PoolSize {
  return poolSize(inputs, inputs.powerState);
}

/** Outputs of every cloud NodePool program; none is secret (the boot config stays inside its resource). */
export const NODE_POOL_SECRET_OUTPUTS: readonly string[] = [];

/** The stack outputs of a cloud pool: who it is, what was asked, and what the cloud reports (after a refresh). */
export function nodeGroupOutputs(
  id: PoolIdentity,
  groupName: pulumi.Input<string>,
  size: PoolSize,
  actual: pulumi.Input<number | undefined>,
): Record<string, pulumi.Output<unknown>> {
  return {
    infraID: pulumi.output(id.infraID),
    groupName: pulumi.output(groupName),
    desiredReplicas: pulumi.output(size.desired),
    minReplicas: pulumi.output(size.min),
    maxReplicas: pulumi.output(size.max),
    replicas: pulumi.output(actual),
  };
}

/** describe() of a cloud NodePool program: `resources` counts the stack, the provider and what the group is. */
export function describeNodeGroup(
  platform: string,
  what: string,
  inputs: { poolName: string; clusterName: string; powerState: string; replicas: number },
  where: string,
  resources: number,
): StackDescription {
  return {
    platform,
    summary:
      `${platform} ${what} ${inputs.poolName} of HostedCluster ${inputs.clusterName} (${inputs.powerState}, ` +
      `${inputs.replicas} node(s)) in ${where}`,
    expectedResources: resources,
    secretOutputs: NODE_POOL_SECRET_OUTPUTS,
    // A repeated create could orphan cloud resources.
    idempotentCreate: false,
  };
}

/** What a cloud NodePool program's inputs hold beside its platform block (stacks/node-pool-inputs.ts). */
interface NodeGroupInputs {
  poolName: string;
  clusterName: string;
  powerState: string;
  replicas: number;
  platform: { region: string };
}

/** What differs between the clouds' NodePool programs. */
export interface NodeGroupProgramParts<S extends AnySchema> {
  platform: string;
  /** The program's inputs: nodePoolInputs over the cloud's spec.platform.<cloud> block of a NodePool. */
  inputs: S;
  /** The run's provider. It reads the credentials first: a run without them fails before touching the group. */
  provider(inputs: Infer<S>): pulumi.ProviderResource;
  /** The component that declares the cloud's group and its parts, with the stack outputs (nodeGroupOutputs). */
  component: new (
    name: string,
    inputs: Infer<S>,
    opts: pulumi.ComponentResourceOptions,
  ) => { outputs: Record<string, pulumi.Output<unknown>> };
  /** What the group is called on the cloud ("Auto Scaling group"), for describe(). */
  groupWords: string;
  /** The stack's resources: the stack, the provider, the component and what the component declares. */
  resources: number;
}

/** A cloud's NodePool program: its inputs checked, its provider made first, then the component with its group. */
export function nodeGroupProgram<S extends AnySchema>(
  parts: NodeGroupProgramParts<S>,
): StackProgram<Infer<S> & NodeGroupInputs> {
  return {
    hostInputs: nodePoolHostInputs,
    validate: (raw) => parseInputs(parts.platform, parts.inputs, raw),
    program: (inputs) => async () => {
      const provider = parts.provider(inputs);
      return new parts.component(inputs.poolName, inputs, { providers: [provider] }).outputs;
    },
    describe: (inputs) =>
      describeNodeGroup(parts.platform, parts.groupWords, inputs, inputs.platform.region, parts.resources),
  };
}
