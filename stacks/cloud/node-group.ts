/**
 * What every cloud's NodePool program shares beside the join: the pool's identity on its cloud (tags, a name
 * stable for its lifetime), its size, and its stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackDescription } from "../platform.js";
import { infraIDFor } from "./inputs.js";
import { NODE_POOL_LABEL } from "./node-join.js";
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
