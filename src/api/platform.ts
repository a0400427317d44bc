/**
 * Platform schemas. A ClusterDeployment (and a ClusterPool's template) names exactly one platform with its
 * own fields; a HostedCluster names where its control plane's infrastructure lives and a NodePool the
 * machines of its workers. Region-like fields and the platform kind are immutable on a ClusterDeployment:
 * moving a cluster means creating another one.
 */
import { awsHostedClusterPlatform, awsNodePoolPlatform, awsPlatform } from "./platforms/aws.js";
import { azureHostedClusterPlatform, azureNodePoolPlatform, azurePlatform } from "./platforms/azure.js";
import { gcpHostedClusterPlatform, gcpNodePoolPlatform, gcpPlatform } from "./platforms/gcp.js";
import { kubernetesHostedClusterPlatform } from "./platforms/kubernetes.js";
import { localHostedClusterPlatform, localNodePoolPlatform, localPlatform } from "./platforms/local.js";
import {
  simulatedHostedClusterPlatform,
  simulatedNodePoolPlatform,
  simulatedPlatform,
} from "./platforms/simulated.js";
import {
  vsphereHostedClusterPlatform,
  vsphereNodePoolPlatform,
  vspherePlatform,
} from "./platforms/vsphere.js";
import type { PlatformOptions } from "./platform-fields.js";
import { s, type Infer, type ValidationRule } from "./schema.js";

// Each platform's fields (of a ClusterDeployment, a HostedCluster and a NodePool) live in
// src/api/platforms/<platform>.ts: the API owns the wire format (as Hive keeps apis/hive/v1/aws/platform.go in its
// API), stacks/<platform> imports its fragment, and this file composes them. PLATFORMS is the one list of names.
export * from "./platforms/aws.js";
export * from "./platforms/azure.js";
export * from "./platforms/gcp.js";
export * from "./platforms/kubernetes.js";
export * from "./platforms/local.js";
export * from "./platforms/simulated.js";
export * from "./platforms/vsphere.js";
export type { PlatformOptions } from "./platform-fields.js";

export const PLATFORMS = ["local", "simulated", "aws", "azure", "gcp", "vsphere"] as const;
export type PlatformName = (typeof PLATFORMS)[number];

/**
 * A HostedCluster may also name `kubernetes` (management-cluster mode): its control plane runs as workloads on a
 * management cluster, so there is no ClusterDeployment or NodePool on it.
 */
export const HOSTED_CLUSTER_PLATFORMS = [...PLATFORMS, "kubernetes"] as const;
export type HostedClusterPlatformName = (typeof HOSTED_CLUSTER_PLATFORMS)[number];

function exactlyOneRule(keys: readonly string[], what: string): ValidationRule {
  return {
    rule: keys.map((k) => `(has(self.${k}) ? 1 : 0)`).join(" + ") + " == 1",
    message: `${what} must set exactly one of: ${keys.join(", ")}`,
  };
}

function sameKindRule(keys: readonly string[], what: string, hint: string): ValidationRule {
  return {
    rule: keys.map((k) => `has(self.${k}) == has(oldSelf.${k})`).join(" && "),
    message: `${what} kind is immutable: ${hint}`,
  };
}

// ---- the union -----------------------------------------------------------------------------------------

export function clusterPlatform(opts: PlatformOptions) {
  const rules: ValidationRule[] = [exactlyOneRule(PLATFORMS, "platform")];
  if (opts.immutable) {
    rules.push(
      sameKindRule(
        PLATFORMS,
        "platform",
        "delete the ClusterDeployment and create one on the other platform",
      ),
    );
  }
  return s
    .object(
      {
        local: localPlatform(opts),
        simulated: simulatedPlatform(opts),
        aws: awsPlatform(opts),
        azure: azurePlatform(opts),
        gcp: gcpPlatform(opts),
        vsphere: vspherePlatform(opts),
      },
      { description: `Where and how the cluster runs: exactly one of ${PLATFORMS.join(", ")}.`, rules },
    )
    .required();
}

export type ClusterPlatform = Infer<ReturnType<typeof clusterPlatform>>;

/**
 * Which platform a resource is on: the one key its spec.platform sets (a ClusterDeployment's, a pool template's, a
 * HostedCluster's or a NodePool's). Admission guarantees exactly one of PLATFORMS; a spec that did not go through
 * it may name another key, or none (undefined). The one reader of "which platform" in the house.
 */
export function platformOf(spec: { platform?: object | null }): string | undefined {
  const platform = (spec.platform ?? {}) as Record<string, unknown>;
  return Object.keys(platform).find((key) => platform[key] != null);
}

/** The region the resource's platform block names, if it has one. */
export function regionOf(spec: { platform?: object | null }): string | undefined {
  const name = platformOf(spec);
  return name ? (spec.platform as Record<string, { region?: string }>)[name]?.region : undefined;
}

// ---- HostedCluster and NodePool platforms --------------------------------------------------------------

const immutableOpts: PlatformOptions = { immutable: true };

/** Where a hosted control plane's infrastructure lives; workers come from NodePools. */
export function hostedClusterPlatform() {
  const opts = immutableOpts;
  return s
    .object(
      {
        local: localHostedClusterPlatform(opts),
        simulated: simulatedHostedClusterPlatform(opts),
        aws: awsHostedClusterPlatform(opts),
        azure: azureHostedClusterPlatform(opts),
        gcp: gcpHostedClusterPlatform(opts),
        vsphere: vsphereHostedClusterPlatform(opts),
        kubernetes: kubernetesHostedClusterPlatform(opts),
      },
      {
        description:
          `Where the workers' infrastructure lives, or (kubernetes) the management cluster the control plane ` +
          `runs on: exactly one of ${HOSTED_CLUSTER_PLATFORMS.join(", ")}.`,
        rules: [
          exactlyOneRule(HOSTED_CLUSTER_PLATFORMS, "platform"),
          sameKindRule(
            HOSTED_CLUSTER_PLATFORMS,
            "platform",
            "delete the HostedCluster and create one on the other platform",
          ),
        ],
      },
    )
    .required();
}

export type HostedClusterPlatform = Infer<ReturnType<typeof hostedClusterPlatform>>;

/** The machines of a NodePool; must match its HostedCluster's platform (checked by the controller). */
export function nodePoolPlatform() {
  return s
    .object(
      {
        local: localNodePoolPlatform(),
        simulated: simulatedNodePoolPlatform(),
        aws: awsNodePoolPlatform(),
        azure: azureNodePoolPlatform(),
        gcp: gcpNodePoolPlatform(),
        vsphere: vsphereNodePoolPlatform(),
      },
      {
        description: `The machines of the pool: exactly one of ${PLATFORMS.join(", ")}, the HostedCluster's platform.`,
        rules: [
          exactlyOneRule(PLATFORMS, "platform"),
          sameKindRule(PLATFORMS, "platform", "create a new NodePool on the other platform"),
        ],
      },
    )
    .required();
}

export type NodePoolPlatform = Infer<ReturnType<typeof nodePoolPlatform>>;
