import * as pulumi from "@pulumi/pulumi";
import { InstanceTemplate } from "@pulumi/gcp/compute/instanceTemplate.js";
import { RegionInstanceGroupManager } from "@pulumi/gcp/compute/regionInstanceGroupManager.js";
import type { Infer } from "../../src/api/schema.js";
import { gcpNodePoolPlatform } from "../../src/api/platforms/gcp.js";
import {
  nodeGroupOutputs,
  nodeGroupProgram,
  nodeGroupSize,
  poolIdentity,
  poolPlainTags,
} from "../cloud/node-group.js";
import { joinUserData } from "../cloud/node-join.js";
import { gcpLabelValue } from "../cloud/tags.js";
import { nodePoolHostFields, nodePoolInputs } from "../node-pool-inputs.js";
import { gcpProvider } from "./cluster.js";

export const gcpNodePoolInputs = nodePoolInputs(gcpNodePoolPlatform(), nodePoolHostFields);
export type GCPNodePoolInputs = Infer<typeof gcpNodePoolInputs>;

/**
 * A NodePool's machines on Compute Engine: an instance template (the spec's image, machine type and boot disk in
 * the spec's subnetwork, with user-data that joins the hosted API) and a regional managed instance group whose
 * target size is what Slipway decided (no GCP autoscaler is attached). A new template (another image or boot
 * config) replaces the template first and rolls the group proactively.
 */
export class GCPNodePool extends pulumi.ComponentResource {
  readonly outputs: Record<string, pulumi.Output<unknown>>;

  constructor(name: string, inputs: GCPNodePoolInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:gcp:NodePool", name, {}, opts);
    const p = inputs.platform;
    const id = poolIdentity(inputs);
    const labels = gcpPoolLabels(inputs);
    const size = nodeGroupSize(inputs);
    const template = new InstanceTemplate(
      `${name}-template`,
      {
        namePrefix: `${id.infraID}-`,
        machineType: p.machineType,
        disks: [{ sourceImage: p.image, diskSizeGb: p.diskSizeGiB, boot: true, autoDelete: true }],
        networkInterfaces: [{ subnetwork: p.subnetwork }],
        metadata: { "user-data": joinUserData(inputs, { base64: false }) },
        labels,
      },
      // A template cannot change in place: the new one exists before the group moves to it.
      { parent: this, deleteBeforeReplace: false, additionalSecretOutputs: ["metadata"] },
    );
    const group = new RegionInstanceGroupManager(
      `${name}-mig`,
      {
        name: id.infraID,
        region: p.region,
        baseInstanceName: id.infraID.slice(0, 50),
        versions: [{ name: "primary", instanceTemplate: template.selfLink }],
        targetSize: size.desired,
        updatePolicy: {
          type: "PROACTIVE",
          minimalAction: "REPLACE",
          maxSurgeFixed: 3,
          maxUnavailableFixed: 0,
        },
      },
      { parent: this },
    );
    this.outputs = nodeGroupOutputs(id, group.name, size, group.targetSize);
    this.registerOutputs({});
  }
}

function gcpPoolLabels(inputs: GCPNodePoolInputs): Record<string, string> {
  return poolPlainTags(poolIdentity(inputs), inputs.platform.userLabels, gcpLabelValue);
}

/** The `gcp` platform's NodePool program. */
export const gcpNodePoolProgram = nodeGroupProgram({
  platform: "gcp",
  inputs: gcpNodePoolInputs,
  provider: (inputs) => gcpProvider(inputs.poolName, inputs.platform, gcpPoolLabels(inputs)),
  component: GCPNodePool,
  groupWords: "managed instance group",
  // The stack, the provider, the component, the instance template and the group.
  resources: 5,
});
