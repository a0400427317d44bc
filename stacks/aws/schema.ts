/**
 * The aws platform's fields: spec.platform.aws of a ClusterDeployment, a HostedCluster and a NodePool, composed
 * into the API by src/api/platform.ts.
 */
import {
  credentialsRef,
  nodePoolName,
  nodePools,
  poolLabels,
  poolReplicas,
  region,
  version,
  type PlatformOptions,
} from "../../src/api/platform-fields.js";
import { s, type Infer } from "../../src/api/schema.js";

export const AWS_REGION = {
  regex: "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$",
  words: "an AWS region: two letters, a direction and a number (for example eu-west-1 or us-gov-west-1)",
};

export const awsNodePool = s.object({
  name: nodePoolName(63),
  replicas: poolReplicas(),
  instanceType: s.string({ description: "EC2 instance type.", maxLength: 64, default: "m6i.large" }),
  diskSizeGiB: s.integer({ description: "Root volume size.", minimum: 20, maximum: 16384, default: 50 }),
  labels: poolLabels(),
});

export const awsPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: region("AWS region, for example eu-west-1.", AWS_REGION, opts),
      version: version(opts, "EKS Kubernetes version. Absent: EKS's default."),
      credentialsRef: credentialsRef(),
      vpcCIDR: s.string({
        description: "CIDR of the VPC created for the cluster.",
        format: "cidr",
        default: "10.0.0.0/16",
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
