import * as pulumi from "@pulumi/pulumi";
import { AccessEntry } from "@pulumi/aws/eks/accessEntry.js";
import { AccessPolicyAssociation } from "@pulumi/aws/eks/accessPolicyAssociation.js";
import { Cluster } from "@pulumi/aws/eks/cluster.js";
import { getClusterAuthOutput } from "@pulumi/aws/eks/getClusterAuth.js";
import { NodeGroup } from "@pulumi/aws/eks/nodeGroup.js";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity.js";
import { Role } from "@pulumi/aws/iam/role.js";
import { RolePolicyAttachment } from "@pulumi/aws/iam/rolePolicyAttachment.js";
import { Provider } from "@pulumi/aws/provider.js";
import { infraIDFor } from "../cloud/inputs.js";
import { kubeconfigOutput } from "../cloud/kubeconfig.js";
import { observedPoolsOutputs, poolSize, type PoolSize } from "../cloud/pool-sizing.js";
import { clusterTags } from "../cloud/tags.js";
import { ClusterComponent } from "../cluster-component.js";
import { requireCredentials } from "../credentials.js";
import { availabilityZones, type AWSClusterInputs } from "./inputs.js";
import { AWSNetwork } from "./network.js";
import type { AWSNodePool } from "../../src/api/platforms/aws.js";

const MANAGED_POLICY = "arn:aws:iam::aws:policy/";
const CLUSTER_POLICIES = ["AmazonEKSClusterPolicy"];
const NODE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonEC2ContainerRegistryReadOnly",
];
const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

const TAINT_EFFECTS = {
  NoSchedule: "NO_SCHEDULE",
  PreferNoSchedule: "PREFER_NO_SCHEDULE",
  NoExecute: "NO_EXECUTE",
} as const;

function serviceRole(
  name: string,
  service: string,
  policies: string[],
  tags: Record<string, string>,
  parent: pulumi.Resource,
): { role: Role; attachments: RolePolicyAttachment[] } {
  const role = new Role(
    name,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
      }),
      tags,
    },
    { parent },
  );
  const attachments = policies.map(
    (policy) =>
      new RolePolicyAttachment(
        `${name}-${policy}`,
        { role: role.name, policyArn: `${MANAGED_POLICY}${policy}` },
        { parent },
      ),
  );
  return { role, attachments };
}

/**
 * An EKS cluster in a VPC of its own, with one managed node group per spec node pool, every resource tagged with
 * the infraID and the ClusterDeployment's uid. The identity of the credentials is the cluster's administrator
 * through an access entry (the API authentication mode), and the kubeconfig carries a token minted from those
 * credentials (docs/platforms/aws.md says why and for how long it is good). Hibernation scales every node group
 * to zero; the control plane, the NAT gateway and the VPC stay.
 */
export class AWSCluster extends ClusterComponent {
  constructor(name: string, inputs: AWSClusterInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:aws:Cluster", name, {}, opts);
    const p = inputs.platform;
    const { infraID, tags } = awsIdentity(inputs);
    const network = new AWSNetwork(
      name,
      { infraID, cidr: p.vpcCIDR, zones: availabilityZones(inputs), tags },
      { parent: this },
    );
    const clusterRole = serviceRole(`${name}-cluster`, "eks.amazonaws.com", CLUSTER_POLICIES, tags, this);
    const cluster = new Cluster(
      `${name}-eks`,
      {
        name: infraID,
        version: p.version,
        roleArn: clusterRole.role.arn,
        vpcConfig: {
          subnetIds: [...network.privateSubnets, ...network.publicSubnets].map((s) => s.id),
          endpointPublicAccess: true,
          endpointPrivateAccess: true,
        },
        // Access entries only: the identity below is the administrator, whoever created the cluster.
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        tags,
      },
      { parent: this, dependsOn: clusterRole.attachments },
    );
    const nodeRole = serviceRole(`${name}-node`, "ec2.amazonaws.com", NODE_POLICIES, tags, this);
    const groups = p.nodePools.map((pool) =>
      this.nodeGroup(name, pool, inputs, cluster, nodeRole, network, tags, this),
    );
    // The kubeconfig's identity: who the credentials are (an IAM user: Secret keys are long-lived user keys).
    const caller = getCallerIdentityOutput({}, { parent: this });
    const entry = new AccessEntry(
      `${name}-slipway`,
      { clusterName: cluster.name, principalArn: caller.arn, type: "STANDARD", tags },
      { parent: this },
    );
    const admin = new AccessPolicyAssociation(
      `${name}-slipway-admin`,
      {
        clusterName: cluster.name,
        principalArn: entry.principalArn,
        policyArn: CLUSTER_ADMIN_POLICY,
        accessScope: { type: "cluster" },
      },
      { parent: this },
    );
    // A presigned STS GetCallerIdentity (aws-iam-authenticator's token), minted by the provider at each run.
    // Minted last, once the node groups are done, so the token is fresh when the run ends.
    const auth = getClusterAuthOutput(
      { name: cluster.name },
      { parent: this, dependsOn: [admin, ...groups.map((g) => g.group)] },
    );
    const caData = cluster.certificateAuthority.apply((ca) => ca.data ?? "");
    this.exposeOutputs({
      apiURL: cluster.endpoint,
      caData,
      kubeconfig: kubeconfigOutput(infraID, cluster.endpoint, caData, auth.token),
      infraID: pulumi.output(infraID),
      // After a refresh: what the node groups have now, so a resize outside Slipway is noticed.
      ...observedPoolsOutputs(
        inputs.powerState,
        groups.map(({ group, planned }, i) => ({
          name: p.nodePools[i]!.name,
          planned,
          actual: group.scalingConfig.apply((s) => s?.desiredSize),
        })),
      ),
    });
  }

  private nodeGroup(
    name: string,
    pool: AWSNodePool,
    inputs: AWSClusterInputs,
    cluster: Cluster,
    nodeRole: { role: Role; attachments: RolePolicyAttachment[] },
    network: AWSNetwork,
    tags: Record<string, string>,
    parent: pulumi.Resource,
  ): { group: NodeGroup; planned: PoolSize } {
    const size = poolSize(pool, inputs.powerState);
    const group = new NodeGroup(
      `${name}-${pool.name}`,
      {
        clusterName: cluster.name,
        nodeGroupName: pool.name,
        nodeRoleArn: nodeRole.role.arn,
        subnetIds: network.privateSubnets.map((s) => s.id),
        instanceTypes: [pool.instanceType],
        diskSize: pool.diskSizeGiB,
        scalingConfig: { desiredSize: size.desired, minSize: size.min, maxSize: size.max },
        labels: pool.labels ?? {},
        taints: (pool.taints ?? []).map((t) => ({
          key: t.key,
          value: t.value,
          effect: TAINT_EFFECTS[t.effect],
        })),
        tags,
      },
      { parent, dependsOn: nodeRole.attachments },
    );
    return { group, planned: size };
  }
}

function awsIdentity(inputs: AWSClusterInputs): { infraID: string; tags: Record<string, string> } {
  const infraID = infraIDFor(inputs.clusterName, inputs.clusterUID);
  const identity = { clusterName: inputs.clusterName, infraID, clusterUID: inputs.clusterUID };
  const tags = {
    ...clusterTags(identity, inputs.platform.userTags),
    [`kubernetes.io/cluster/${infraID}`]: "owned",
  };
  return { infraID, tags };
}

/**
 * The provider every resource of a cluster's (or a NodePool's) stack uses: the region, the credentials (secrets,
 * read first: a run without them fails before declaring anything) and default tags.
 */
export function awsProvider(name: string, region: string, tags: Record<string, string>): Provider {
  const credentials = requireCredentials();
  return new Provider(`${name}-aws`, {
    region,
    accessKey: credentials.apply((c) => c.aws_access_key_id ?? ""),
    secretKey: credentials.apply((c) => c.aws_secret_access_key ?? ""),
    defaultTags: { tags },
  });
}

/** The `aws` platform's ClusterDeployment program. */
export function program(inputs: AWSClusterInputs) {
  return async () => {
    // Before declaring anything: a run without its credentials fails without touching the cluster.
    const provider = awsProvider(inputs.clusterName, inputs.platform.region, awsIdentity(inputs).tags);
    return new AWSCluster(inputs.clusterName, inputs, { providers: [provider] }).outputs();
  };
}
