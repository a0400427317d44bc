/**
 * The aws platform's fields: spec.platform.aws of a ClusterDeployment, a HostedCluster and a NodePool, composed
 * into the API by src/api/platform.ts. The API owns the wire format; stacks/<platform> imports this fragment.
 */
import {
  cloudPoolFields,
  credentialsRef,
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
      }),
    },
    { description: "Workers on EC2 in a VPC of their own." },
  );

/** spec.platform.aws of a NodePool: the machines of its workers. */
export const awsNodePoolPlatform = () =>
  s.object(
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
  );
