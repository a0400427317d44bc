import { describe, expect, it } from "vitest";
import {
  canary,
  expectClusterOutputsAndCredentials,
  hibernationDiff,
  ofType,
} from "../../harness/cloud-mocks.js";
import { AWS_ACCOUNT as ACCOUNT, cloudProgram } from "../../harness/cloud-samples.js";

// The aws program under Pulumi's mocks: what it declares for a few specs, what hibernating changes, and where the
// credentials may (the provider) and may not (outputs, other inputs, logs) be found.
const UID = "0b7c2f4e-9d1a-4c4e-8f00-5a1e2d3c4b5a";
const {
  definition: aws,
  run,
  validate,
} = cloudProgram("aws", {
  clusterName: "payments",
  clusterUID: UID,
  platform: { region: "eu-west-1", credentialsRef: { name: "aws-creds" } },
});

describe("aws platform program", () => {
  it("declares a VPC over three zones, EKS with its roles, a node group a pool and an access entry", async () => {
    const r = await run({});
    const counts: Record<string, number> = {};
    for (const x of r.resources) counts[x.type] = (counts[x.type] ?? 0) + 1;
    expect(counts).toEqual({
      "pulumi:providers:aws": 1,
      "slipway:aws:Cluster": 1,
      "slipway:aws:Network": 1,
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/subnet:Subnet": 6,
      "aws:ec2/internetGateway:InternetGateway": 1,
      "aws:ec2/routeTable:RouteTable": 2,
      "aws:ec2/eip:Eip": 1,
      "aws:ec2/natGateway:NatGateway": 1,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4,
      "aws:eks/cluster:Cluster": 1,
      "aws:eks/nodeGroup:NodeGroup": 1,
      "aws:eks/accessEntry:AccessEntry": 1,
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": 1,
    });
    // describe() announces as many as the engine will see (the stack is the one more).
    expect(
      aws.programs.ClusterDeployment!.describe(
        aws.programs.ClusterDeployment!.validate({
          clusterName: "payments",
          powerState: "Running",
          platform: { region: "eu-west-1", credentialsRef: { name: "aws-creds" } },
          clusterUID: UID,
        }),
      ).expectedResources,
    ).toBe(r.resources.length + 1);

    const subnets = ofType(r, "aws:ec2/subnet:Subnet").map((s) => [
      s.inputs.availabilityZone,
      s.inputs.cidrBlock,
    ]);
    expect(subnets).toEqual([
      // private (by name first), then public
      ["eu-west-1a", "10.0.96.0/19"],
      ["eu-west-1b", "10.0.128.0/19"],
      ["eu-west-1c", "10.0.160.0/19"],
      ["eu-west-1a", "10.0.0.0/19"],
      ["eu-west-1b", "10.0.32.0/19"],
      ["eu-west-1c", "10.0.64.0/19"],
    ]);
    const [cluster] = ofType(r, "aws:eks/cluster:Cluster");
    expect(cluster!.inputs).toMatchObject({
      name: "payments-0b7c2",
      roleArn: `arn:aws:iam::${ACCOUNT}:role/payments-cluster`,
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
    });
    expect((cluster!.inputs.vpcConfig as { subnetIds: string[] }).subnetIds).toHaveLength(6);
    expect(ofType(r, "aws:eks/accessEntry:AccessEntry")[0]!.inputs.principalArn).toBe(
      `arn:aws:iam::${ACCOUNT}:user/slipway`,
    );
    expect(ofType(r, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")[0]!.inputs).toMatchObject({
      policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      accessScope: { type: "cluster" },
    });
    const [provider] = ofType(r, "pulumi:providers:aws");
    expect(provider!.inputs.region).toBe("eu-west-1");
  });

  it("sizes node groups from the spec: instance type, disk, counts or autoscaling bounds, labels, taints", async () => {
    const r = await run({
      version: "1.33",
      availabilityZones: ["eu-west-1b", "eu-west-1c"],
      vpcCIDR: "10.20.0.0/20",
      nodePools: [
        {
          name: "general",
          replicas: 3,
          instanceType: "m6i.xlarge",
          diskSizeGiB: 100,
          labels: { tier: "web" },
        },
        {
          name: "batch",
          replicas: 1,
          autoScaling: { min: 2, max: 10 },
          instanceType: "c6i.2xlarge",
          taints: [{ key: "batch", value: "true", effect: "NoSchedule" }],
        },
      ],
    });
    expect(ofType(r, "aws:ec2/subnet:Subnet").map((s) => s.inputs.cidrBlock)).toEqual([
      "10.20.8.0/22",
      "10.20.12.0/22",
      "10.20.0.0/22",
      "10.20.4.0/22",
    ]);
    expect(ofType(r, "aws:eks/cluster:Cluster")[0]!.inputs.version).toBe("1.33");
    const groups = ofType(r, "aws:eks/nodeGroup:NodeGroup").map((g) => g.inputs);
    expect(groups).toMatchObject([
      {
        nodeGroupName: "batch",
        instanceTypes: ["c6i.2xlarge"],
        diskSize: 50,
        // replicas 1 is brought within the autoscaler's bounds.
        scalingConfig: { desiredSize: 2, minSize: 2, maxSize: 10 },
        taints: [{ key: "batch", value: "true", effect: "NO_SCHEDULE" }],
      },
      {
        nodeGroupName: "general",
        instanceTypes: ["m6i.xlarge"],
        diskSize: 100,
        scalingConfig: { desiredSize: 3, minSize: 3, maxSize: 3 },
        labels: { tier: "web" },
        taints: [],
      },
    ]);
    expect((groups[0]!.subnetIds as string[]).length).toBe(2);
  });

  it("tags every taggable resource with the infraID, the ClusterDeployment's uid and the user's tags", async () => {
    const r = await run({ userTags: { team: "payments", "slipway.dev/infra-id": "spoofed" } });
    const taggable = r.resources.filter((x) => x.type.startsWith("aws:") && "tags" in x.inputs);
    expect(taggable.length).toBeGreaterThanOrEqual(17);
    for (const resource of taggable) {
      expect(resource.inputs.tags, `${resource.type} ${resource.name}`).toMatchObject({
        team: "payments",
        "slipway.dev/infra-id": "payments-0b7c2",
        "slipway.dev/cluster-deployment-uid": UID,
        "kubernetes.io/cluster/payments-0b7c2": expect.any(String),
      });
    }
    // Untaggable ones (route table associations, policy attachments) get the provider's default tags.
    expect(ofType(r, "pulumi:providers:aws")[0]!.inputs.defaultTags).toBeDefined();
  });

  it("hibernates by scaling node groups to zero: nothing else changes, so nothing is replaced", async () => {
    const spec = {
      nodePools: [
        { name: "general", replicas: 3 },
        { name: "batch", replicas: 1, autoScaling: { min: 1, max: 5 } },
      ],
    };
    const running = await run(spec);
    const hibernating = await run(spec, { powerState: "Hibernating" });
    expect(hibernationDiff(running, hibernating)).toEqual({
      "aws:eks/nodeGroup:NodeGroup payments-general": ["scalingConfig.desiredSize", "scalingConfig.minSize"],
      "aws:eks/nodeGroup:NodeGroup payments-batch": ["scalingConfig.desiredSize", "scalingConfig.minSize"],
    });
    const groups = ofType(hibernating, "aws:eks/nodeGroup:NodeGroup").map((g) => g.inputs.scalingConfig);
    expect(groups).toEqual([
      { desiredSize: 0, minSize: 0, maxSize: 5 },
      { desiredSize: 0, minSize: 0, maxSize: 3 },
    ]);
    expect(hibernating.outputs.powerState!.value).toBe("Hibernating");
  });

  it("reports node groups emptied outside Slipway as Stopped, and one resized as drift, after a refresh, so the next up repairs them", async () => {
    const emptied = await run(
      {},
      {
        // A refresh runs the program with the node groups as AWS reports them now.
        state: (args) =>
          args.type === "aws:eks/nodeGroup:NodeGroup"
            ? { scalingConfig: { desiredSize: 0, minSize: 0, maxSize: 2 } }
            : {},
      },
    );
    expect(emptied.outputs.powerState!.value).toBe("Stopped");
    const resized = await run(
      {},
      {
        state: (args) =>
          args.type === "aws:eks/nodeGroup:NodeGroup"
            ? { scalingConfig: { desiredSize: 1, minSize: 1, maxSize: 2 } }
            : {},
      },
    );
    expect(resized.outputs.powerState!.value).toBe("Running");
    expect(resized.outputs.drift).toEqual({
      value: "node pool workers has 1 node, the spec asks for 2",
      secret: false,
    });
  });

  it("returns every cluster output, the kubeconfig secret with a minted token; credentials only reach the provider", async () => {
    const secret = canary();
    const r = await run({}, { secret });
    expectClusterOutputsAndCredentials(r, secret, "pulumi:providers:aws");
    expect(r.outputs.apiURL).toEqual({
      value: "https://payments-0b7c2.gr7.eu-west-1.eks.amazonaws.com",
      secret: false,
    });
    expect(r.outputs.infraID).toEqual({ value: "payments-0b7c2", secret: false });
    expect(r.outputs.kubeconfig!.value).toContain("token: k8s-aws-v1.minted");
    expect(r.outputs.kubeconfig!.value).toContain("certificate-authority-data: Q0EgZGF0YQ==");
  });

  it("refuses zones outside the region and a VPC it cannot cut up, before Pulumi runs", () => {
    expect(validate({ availabilityZones: ["eu-west-1a", "us-east-1a"] })).toThrow(
      /availabilityZones us-east-1a are not in region eu-west-1/,
    );
    expect(validate({ vpcCIDR: "10.0.0.0/26" })).toThrow(/vpcCIDR 10\.0\.0\.0\/26 is a \/26/);
    expect(validate({ region: "Frankfurt" })).toThrow(/inputs\.platform\.region/);
    expect(aws.credentials?.keys).toEqual(["aws_access_key_id", "aws_secret_access_key"]);
  });
});
