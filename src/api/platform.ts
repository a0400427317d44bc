/**
 * Platform schemas. A ClusterDeployment (and a ClusterPool's template) names exactly one platform with its
 * own fields; a HostedCluster names where its control plane's infrastructure lives and a NodePool the
 * machines of its workers. Region-like fields and the platform kind are immutable on a ClusterDeployment:
 * moving a cluster means creating another one.
 */
import { awsPlatform, AWS_REGION } from "../../stacks/aws/schema.js";
import { azurePlatform } from "../../stacks/azure/schema.js";
import { gcpPlatform } from "../../stacks/gcp/schema.js";
import { localPlatform } from "../../stacks/local/schema.js";
import { simulatedPlatform } from "../../stacks/simulated/schema.js";
import { vsphereInventory, vspherePlatform } from "../../stacks/vsphere/schema.js";
import { immutable } from "./common.js";
import { credentialsRef, optionalRegion, region, seconds, type PlatformOptions } from "./platform-fields.js";
import { s, type Infer, type ValidationRule } from "./schema.js";

// Each platform's ClusterDeployment fields live in its own folder, stacks/<platform>/schema.ts, with the rest of
// the platform; this file only composes them.
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
        local: s.object(
          {
            region: optionalRegion("A free-form region label.", opts),
          },
          { description: "The control plane runs as processes on the management machine." },
        ),
        simulated: s.object(
          {
            region: optionalRegion("A free-form region label.", opts),
            provisionSeconds: seconds("creating the control plane", 5),
            destroySeconds: seconds("destroying the control plane", 2),
            jitterPercent: s.integer({
              description: "Each delay varies randomly by up to this percentage either way.",
              minimum: 0,
              maximum: 100,
              default: 10,
            }),
          },
          { description: "A simulated control plane with configurable delays." },
        ),
        aws: s.object(
          {
            region: region("AWS region, for example eu-west-1.", AWS_REGION, opts),
            credentialsRef: credentialsRef(),
            vpcCIDR: s.string({
              description: "CIDR of the workers' VPC.",
              format: "cidr",
              default: "10.0.0.0/16",
            }),
          },
          { description: "Workers on EC2 in a VPC of their own." },
        ),
        azure: s.object(
          {
            region: region("Azure region (location).", "^[a-z][a-z0-9]*$", opts),
            credentialsRef: credentialsRef(),
            resourceGroupName: s.string({
              description: "Resource group for the workers.",
              pattern: "^[-\\w._()]+$",
              maxLength: 90,
            }),
          },
          { description: "Workers on Azure VMs." },
        ),
        gcp: s.object(
          {
            region: region("GCP region.", "^[a-z]+-[a-z]+[0-9]+$", opts),
            projectID: s.string({
              description: "GCP project. Absent: the project of the credentials.",
              pattern: "^[a-z][-a-z0-9]{4,28}[a-z0-9]$",
              maxLength: 30,
            }),
            credentialsRef: credentialsRef(),
          },
          { description: "Workers on Compute Engine." },
        ),
        vsphere: s.object(
          {
            vCenter: s
              .string({
                description: "vCenter server host name.",
                minLength: 1,
                maxLength: 255,
                rules: [immutable("vCenter", "create a new cluster on the other vCenter instead")],
              })
              .required(),
            datacenter: vsphereInventory("datacenter", "Datacenter to create the worker VMs in.", opts),
            credentialsRef: credentialsRef(),
          },
          { description: "Workers on vSphere VMs." },
        ),
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
        local: s.object({}, { description: "Simulated nodes registered with a local control plane." }),
        simulated: s.object(
          {
            nodeReadySeconds: seconds("a node becoming Ready", 2),
          },
          { description: "Simulated nodes." },
        ),
        aws: s.object(
          {
            instanceType: s.string({
              description: "EC2 instance type.",
              maxLength: 64,
              default: "m6i.large",
            }),
            diskSizeGiB: s.integer({
              description: "Root volume size.",
              minimum: 20,
              maximum: 16384,
              default: 50,
            }),
          },
          { description: "EC2 instances." },
        ),
        azure: s.object(
          {
            vmSize: s.string({ description: "Azure VM size.", maxLength: 64, default: "Standard_D4s_v5" }),
            diskSizeGiB: s.integer({ description: "OS disk size.", minimum: 30, maximum: 2048, default: 64 }),
          },
          { description: "Azure VMs." },
        ),
        gcp: s.object(
          {
            machineType: s.string({ description: "Machine type.", maxLength: 64, default: "e2-standard-4" }),
            diskSizeGiB: s.integer({
              description: "Boot disk size.",
              minimum: 10,
              maximum: 65536,
              default: 50,
            }),
          },
          { description: "Compute Engine instances." },
        ),
        vsphere: s.object(
          {
            template: s
              .string({ description: "VM template cloned for every node.", minLength: 1, maxLength: 255 })
              .required(),
            cpus: s.integer({ description: "vCPUs per VM.", minimum: 1, maximum: 128, default: 4 }),
            memoryMiB: s.integer({
              description: "Memory per VM.",
              minimum: 1024,
              maximum: 1048576,
              default: 8192,
            }),
            diskGiB: s.integer({ description: "Disk per VM.", minimum: 20, maximum: 16384, default: 60 }),
          },
          { description: "vSphere VMs." },
        ),
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
