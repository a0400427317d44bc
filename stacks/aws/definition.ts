import { cloudHostInputs } from "../cloud/inputs.js";
import type { PlatformDefinition, StackProgram } from "../platform.js";
import { CLUSTER_SECRET_OUTPUTS } from "../types.js";
import { program } from "./cluster.js";
import { awsNodePoolProgram } from "./node-pool.js";
import { availabilityZones, validateAWSInputs, type AWSClusterInputs } from "./inputs.js";
import { awsPlatform } from "../../src/api/platforms/aws.js";

const clusterDeployment: StackProgram<AWSClusterInputs> = {
  hostInputs: cloudHostInputs,
  validate: validateAWSInputs,
  program,
  describe: (inputs) => ({
    platform: "aws",
    summary: `aws cluster ${inputs.clusterName} (${inputs.powerState}) in ${inputs.platform.region}`,
    // The stack, the provider, the cluster and network components, the VPC with 4 resources a zone and 5 more,
    // two roles with their 4 policy attachments, the EKS cluster, its access entry and policy, one group a pool.
    expectedResources:
      4 + 1 + 4 * availabilityZones(inputs).length + 5 + 2 + 4 + 1 + 2 + inputs.platform.nodePools.length,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    // A repeated create could orphan cloud resources.
    idempotentCreate: false,
  }),
};

/** EKS with managed node groups in a VPC of its own. */
export const aws: PlatformDefinition = {
  name: "aws",
  implemented: true,
  schema: awsPlatform,
  // The keys of Hive's AWS credentials Secret.
  credentials: { keys: ["aws_access_key_id", "aws_secret_access_key"] },
  plugins: [{ name: "aws", sdkPackage: "@pulumi/aws" }],
  programs: { ClusterDeployment: clusterDeployment, NodePool: awsNodePoolProgram },
  // A NodePool on aws is an Auto Scaling group of EC2 instances that join a management-mode HostedCluster.
  nodePoolNodes: "provider-node-group",
  // OCM's own agents run on the cluster, deployed by its klusterlet operator; the API is reached with the
  // admin kubeconfig the program outputs.
  hubJoin: { method: "klusterlet" },
  policyAccess: { via: "admin-kubeconfig" },
  hibernation:
    "every node group scaled to 0 (desired and min 0, max kept); the EKS control plane, NAT gateway and volumes stay billed",
};
