/**
 * The aws platform's fields: spec.platform.aws of a ClusterDeployment, a HostedCluster and a NodePool, composed
 * into the API by src/api/platform.ts. The API owns the wire format; stacks/<platform> imports this fragment.
 */
import {
  cloudPoolFields,
  credentialsRef,
  fixedOnceCreated,
  nodePoolName,
  nodePools,
  region,
  version,
  type PlatformOptions,
} from "../platform-fields.js";
import { s, type Infer } from "../schema.js";

export const AWS_REGION = {
  regex: "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$",
  words: "an AWS region: two letters, a direction and a number (for example eu-west-1 or us-gov-west-1)",
};

const AWS_ZONE = {
  regex: "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+[a-z]$",
  words: "an AWS availability zone: a region and a letter (for example eu-west-1a)",
};

export const awsNodePool = s.object({
  name: nodePoolName(63),
  ...cloudPoolFields(),
  instanceType: s.string({ description: "EC2 instance type.", maxLength: 64, default: "m6i.large" }),
  diskSizeGiB: s.integer({ description: "Root volume size.", minimum: 20, maximum: 16384, default: 50 }),
});

export const awsPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: region("AWS region, for example eu-west-1.", AWS_REGION, opts),
      version: version(opts, "EKS Kubernetes version. Absent: EKS's default."),
      credentialsRef: credentialsRef(),
      vpcCIDR: s.string({
        description:
          "CIDR of the VPC created for the cluster: a /16 to a /24, split into a public and a private subnet " +
          "per availability zone.",
        format: "cidr",
        default: "10.0.0.0/16",
        rules: fixedOnceCreated(opts, "vpcCIDR"),
      }),
      availabilityZones: s.array(s.string({ pattern: AWS_ZONE, maxLength: 64 }), {
        description:
          "Availability zones of the VPC's subnets, in the region. Absent: the region's zones a, b and c. " +
          "EKS needs at least two.",
        listType: "set",
        minItems: 2,
        maxItems: 6,
      }),
      nodePools: nodePools(awsNodePool, {
        name: "workers",
        replicas: 2,
        instanceType: "m6i.large",
        diskSizeGiB: 50,
      }),
      userTags: s.map(s.string({ maxLength: 256 }), {
        description: "Tags added to every AWS resource of the cluster.",
        maxProperties: 40,
      }),
    },
    {
      description:
        "EKS with managed node groups in a VPC of its own. Hibernation scales node groups to zero.",
      rules: [
        {
          rule: "!has(self.availabilityZones) || self.availabilityZones.all(z, z.startsWith(self.region))",
          message: "every availability zone must be in the region: eu-west-1a, say, for region eu-west-1",
        },
      ],
    },
  );

export type AWSPlatform = Infer<ReturnType<typeof awsPlatform>>;
export type AWSNodePool = Infer<typeof awsNodePool>;

/** spec.platform.aws of a HostedCluster: where its workers' infrastructure lives. */
export const awsHostedClusterPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: region("AWS region, for example eu-west-1.", AWS_REGION, opts),
      credentialsRef: credentialsRef(),
      vpcCIDR: s.string({
        description: "CIDR of the workers' VPC.",
        format: "cidr",
        default: "10.0.0.0/16",
        rules: fixedOnceCreated(opts, "vpcCIDR"),
      }),
    },
    { description: "Workers on EC2 in a VPC of their own." },
  );

const AWS_SUBNET_ID = {
  regex: "^subnet-[0-9a-f]{8,17}$",
  words: "a subnet ID (for example subnet-0a1b2c3d)",
};
const AWS_SECURITY_GROUP_ID = {
  regex: "^sg-[0-9a-f]{8,17}$",
  words: "a security group ID (for example sg-0a1b2c3d)",
};
const AWS_AMI_ID = { regex: "^ami-[0-9a-f]{8,17}$", words: "an AMI ID (for example ami-0a1b2c3d4e5f60718)" };

/** spec.platform.aws of a NodePool: an Auto Scaling group of self-managed EC2 instances that join the hosted API. */
export const awsNodePoolPlatform = () =>
  s.object(
    {
      region: region("AWS region of the instances, for example eu-west-1.", AWS_REGION, { immutable: true }),
      credentialsRef: credentialsRef(),
      subnetIDs: s
        .array(s.string({ pattern: AWS_SUBNET_ID, maxLength: 64 }), {
          description:
            "Subnets the Auto Scaling group places instances in (one or more zones); they must reach the hosted " +
            "cluster's API endpoint.",
          listType: "set",
          minItems: 1,
          maxItems: 16,
        })
        .required(),
      imageID: s
        .string({
          description:
            "AMI of the nodes: an image with kubelet and a container runtime (an EKS-optimized AMI, say). The boot " +
            "config joins the hosted cluster with a bootstrap token.",
          pattern: AWS_AMI_ID,
          maxLength: 64,
        })
        .required(),
      securityGroupIDs: s.array(s.string({ pattern: AWS_SECURITY_GROUP_ID, maxLength: 64 }), {
        description: "Security groups of the instances. Absent: the subnets' VPC default.",
        listType: "set",
        maxItems: 5,
      }),
      instanceProfile: s.string({
        description: "IAM instance profile name of the instances. Absent: none.",
        pattern: {
          regex: "^[\\w+=,.@-]{1,128}$",
          words: "an IAM instance profile name: letters, digits and '+=,.@_-' (for example slipway-nodes)",
        },
        maxLength: 128,
      }),
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
      userTags: s.map(s.string({ maxLength: 256 }), {
        description: "Tags added to every AWS resource of the pool.",
        maxProperties: 40,
      }),
    },
    {
      description:
        "EC2 instances in an Auto Scaling group (launch template, the AMI and subnets named here) that join the " +
        "HostedCluster's API; the HostedCluster must be in management mode (spec.platform.kubernetes).",
    },
  );

export type AWSNodePoolPlatform = Infer<ReturnType<typeof awsNodePoolPlatform>>;
