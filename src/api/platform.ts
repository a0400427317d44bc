/**
 * Platform schemas. A ClusterDeployment (and a ClusterPool's template) names exactly one platform with its
 * own fields; a HostedCluster names where its control plane's infrastructure lives and a NodePool the
 * machines of its workers. Region-like fields and the platform kind are immutable on a ClusterDeployment:
 * moving a cluster means creating another one.
 */
import { awsHostedClusterPlatform, awsNodePoolPlatform, awsPlatform } from "../../stacks/aws/schema.js";
import {
  azureHostedClusterPlatform,
  azureNodePoolPlatform,
  azurePlatform,
} from "../../stacks/azure/schema.js";
import { gcpHostedClusterPlatform, gcpNodePoolPlatform, gcpPlatform } from "../../stacks/gcp/schema.js";
import {
  localHostedClusterPlatform,
  localNodePoolPlatform,
  localPlatform,
} from "../../stacks/local/schema.js";
import {
  simulatedHostedClusterPlatform,
  simulatedNodePoolPlatform,
  simulatedPlatform,
} from "../../stacks/simulated/schema.js";
import {
  vsphereHostedClusterPlatform,
  vsphereNodePoolPlatform,
  vspherePlatform,
} from "../../stacks/vsphere/schema.js";
import type { PlatformOptions } from "./platform-fields.js";
import { s, type Infer, type ValidationRule } from "./schema.js";

// Each platform's fields (of a ClusterDeployment, a HostedCluster and a NodePool) live in its own folder,
// stacks/<platform>/schema.ts, with the rest of the platform; this file only composes them.
export * from "../../stacks/aws/schema.js";
export * from "../../stacks/azure/schema.js";
export * from "../../stacks/gcp/schema.js";
export * from "../../stacks/local/schema.js";
export * from "../../stacks/simulated/schema.js";
export * from "../../stacks/vsphere/schema.js";
export type { PlatformOptions } from "./platform-fields.js";

export const PLATFORMS = ["local", "simulated", "aws", "azure", "gcp", "vsphere"] as const;
export type PlatformName = (typeof PLATFORMS)[number];

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

/** Which platform a ClusterDeployment's platform block names (admission guarantees exactly one). */
export function platformName(platform: Partial<Record<PlatformName, unknown>>): PlatformName {
  const set = PLATFORMS.filter((p) => platform[p] !== undefined);
  if (set.length !== 1)
    throw new Error(`platform must set exactly one of ${PLATFORMS.join(", ")}; it sets ${set.length}`);
  return set[0] as PlatformName;
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
      },
      {
        description: `Where the workers' infrastructure lives: exactly one of ${PLATFORMS.join(", ")}.`,
        rules: [
          exactlyOneRule(PLATFORMS, "platform"),
          sameKindRule(
            PLATFORMS,
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
