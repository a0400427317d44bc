import * as pulumi from "@pulumi/pulumi";
import { Group } from "@pulumi/aws/autoscaling/group.js";
import { LaunchTemplate } from "@pulumi/aws/ec2/launchTemplate.js";
import type { Infer } from "../../src/api/schema.js";
import { awsNodePoolPlatform } from "../../src/api/platforms/aws.js";
import {
  nodeGroupOutputs,
  nodeGroupProgram,
  nodeGroupSize,
  poolIdentity,
  poolTags,
} from "../cloud/node-group.js";
import { joinUserData } from "../cloud/node-join.js";
import { nodePoolHostFields, nodePoolInputs } from "../node-pool-inputs.js";
import { awsProvider } from "./cluster.js";

export const awsNodePoolInputs = nodePoolInputs(awsNodePoolPlatform(), nodePoolHostFields);
export type AWSNodePoolInputs = Infer<typeof awsNodePoolInputs>;

/**
 * A NodePool's machines on EC2: a launch template (the AMI, instance type, root volume and the boot config that
 * joins the hosted API) and an Auto Scaling group over the spec's subnets whose desired capacity is what Slipway
 * decided (spec.replicas, or its autoscaler's decision) and whose min and max are autoScaling's bounds. No cloud
 * autoscaler acts on the group. A new launch template version (another AMI or boot config) rolls the instances
 * through the group's instance refresh.
 */
export class AWSNodePool extends pulumi.ComponentResource {
  readonly outputs: Record<string, pulumi.Output<unknown>>;

  constructor(name: string, inputs: AWSNodePoolInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:aws:NodePool", name, {}, opts);
    const p = inputs.platform;
    const id = poolIdentity(inputs);
    const tags = poolTags(id, p.userTags);
    const size = nodeGroupSize(inputs);
    const template = new LaunchTemplate(
      `${name}-lt`,
      {
        namePrefix: `${id.infraID}-`,
        imageId: p.imageID,
        instanceType: p.instanceType,
        userData: joinUserData(inputs, { base64: true }),
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: {
              volumeSize: p.diskSizeGiB,
              volumeType: "gp3",
              deleteOnTermination: "true",
              encrypted: "true",
            },
          },
        ],
        iamInstanceProfile: p.instanceProfile ? { name: p.instanceProfile } : undefined,
        vpcSecurityGroupIds: p.securityGroupIDs,
        // IMDSv2 and one hop: the boot config (the token) is not readable from a pod through the metadata service.
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        tagSpecifications: ["instance", "volume"].map((resourceType) => ({ resourceType, tags })),
        tags,
      },
      { parent: this, additionalSecretOutputs: ["userData"] },
    );
    const group = new Group(
      `${name}-asg`,
      {
        name: id.infraID,
        vpcZoneIdentifiers: p.subnetIDs,
        desiredCapacity: size.desired,
        minSize: size.min,
        maxSize: size.max,
        launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90 } },
        tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      },
      { parent: this },
    );
    this.outputs = nodeGroupOutputs(id, group.name, size, group.desiredCapacity);
    this.registerOutputs({});
  }
}

/** The `aws` platform's NodePool program. */
export const awsNodePoolProgram = nodeGroupProgram({
  platform: "aws",
  inputs: awsNodePoolInputs,
  provider: (inputs) =>
    awsProvider(
      inputs.poolName,
      inputs.platform.region,
      poolTags(poolIdentity(inputs), inputs.platform.userTags),
    ),
  component: AWSNodePool,
  groupWords: "Auto Scaling group",
  // The stack, the provider, the component, the launch template and the group.
  resources: 5,
});
