import { describe, expect, it } from "vitest";
import { platformDefinition } from "../../../stacks/index.js";
import { canary, ofType } from "../../harness/cloud-mocks.js";
import { awsCredentials, awsMocks } from "../../harness/cloud-samples.js";
import {
  HOSTED_API,
  nodePoolRunner,
  plainSightings,
  POOL_UID,
  sampleNodePoolInputs,
  secretValue,
} from "../../harness/node-pool-mocks.js";

// The aws NodePool program under Pulumi's mocks: a launch template and an Auto Scaling group of self-managed EC2
// instances whose boot config joins a management-mode HostedCluster's API with a bootstrap token.
const aws = platformDefinition("aws")!;
const run = nodePoolRunner(
  aws,
  {
    region: "eu-west-1",
    credentialsRef: { name: "aws-creds" },
    subnetIDs: ["subnet-0a1b2c3d", "subnet-0e1f2a3b"],
    imageID: "ami-0a1b2c3d4e5f60718",
  },
  { ...awsMocks, credentials: awsCredentials },
);

const userData = (r: Awaited<ReturnType<typeof run>>) => {
  const template = ofType(r, "aws:ec2/launchTemplate:LaunchTemplate")[0]!;
  return Buffer.from(secretValue(template.inputs.userData) as string, "base64").toString("utf8");
};
const group = (r: Awaited<ReturnType<typeof run>>) => ofType(r, "aws:autoscaling/group:Group")[0]!.inputs;

describe("aws NodePool program", () => {
  it("declares a launch template and an Auto Scaling group over the spec's subnets, tagged with the pool", async () => {
    const r = await run({ platform: { instanceType: "c6i.xlarge", diskSizeGiB: 100 } });
    expect(r.resources.map((x) => x.type).sort()).toEqual([
      "aws:autoscaling/group:Group",
      "aws:ec2/launchTemplate:LaunchTemplate",
      "pulumi:providers:aws",
      "slipway:aws:NodePool",
    ]);
    const program = aws.programs.NodePool!;
    const inputs = program.validate(
      sampleNodePoolInputs({
        region: "eu-west-1",
        credentialsRef: { name: "c" },
        subnetIDs: ["subnet-0a1b2c3d"],
        imageID: "ami-0a1b2c3d",
      }),
    );
    expect(program.describe(inputs).expectedResources).toBe(r.resources.length + 1);
    const template = ofType(r, "aws:ec2/launchTemplate:LaunchTemplate")[0]!.inputs;
    expect(template).toMatchObject({
      namePrefix: "batch-5f0e9-",
      imageId: "ami-0a1b2c3d4e5f60718",
      instanceType: "c6i.xlarge",
      blockDeviceMappings: [{ ebs: { volumeSize: 100, volumeType: "gp3", encrypted: "true" } }],
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    });
    expect(group(r)).toMatchObject({
      name: "batch-5f0e9",
      vpcZoneIdentifiers: ["subnet-0a1b2c3d", "subnet-0e1f2a3b"],
      instanceRefresh: { strategy: "Rolling" },
    });
    const tags = Object.fromEntries(
      (group(r).tags as { key: string; value: string; propagateAtLaunch: boolean }[]).map((t) => [
        t.key,
        t.value,
      ]),
    );
    expect(tags).toMatchObject({
      "slipway.dev/nodepool": "batch",
      "slipway.dev/hosted-cluster": "tenant-a",
      "slipway.dev/infra-id": "batch-5f0e9",
      "slipway.dev/nodepool-uid": POOL_UID,
    });
    expect(r.outputs.infraID!.value).toBe("batch-5f0e9");
  });

  it("sizes the group from replicas, from Slipway's decision within autoScaling's bounds, and to 0 in hibernation", async () => {
    const size = (g: Record<string, unknown>) => [g.desiredCapacity, g.minSize, g.maxSize];
    expect(size(group(await run({ replicas: 3 })))).toEqual([3, 3, 3]);
    expect(size(group(await run({ replicas: 4, autoScaling: { min: 1, max: 6 } })))).toEqual([4, 1, 6]);
    // A decision outside the bounds (max lowered since) is brought within them.
    expect(size(group(await run({ replicas: 9, autoScaling: { min: 1, max: 6 } })))).toEqual([6, 1, 6]);
    expect(size(group(await run({ replicas: 0 })))).toEqual([0, 0, 1]);
    const hibernating = await run({ replicas: 3 }, { powerState: "Hibernating" });
    expect(size(group(hibernating))).toEqual([0, 0, 3]);
  });

  it("updates only the desired count when Slipway's decision changes", async () => {
    const before = await run({ replicas: 2, autoScaling: { min: 0, max: 5 } });
    const after = await run({ replicas: 5, autoScaling: { min: 0, max: 5 } });
    const strip = (g: Record<string, unknown>) => ({ ...g, desiredCapacity: undefined });
    expect(group(after).desiredCapacity).toBe(5);
    expect(strip(group(after))).toEqual(strip(group(before)));
    expect(userData(after)).toBe(userData(before));
  });

  it("boots kubelet with the pool's labels and taints against the hosted API, with the token only in its bootstrap kubeconfig", async () => {
    const r = await run({
      nodeLabels: { tier: "batch" },
      taints: [
        { key: "dedicated", value: "batch", effect: "NoSchedule" },
        { key: "gpu", effect: "NoExecute" },
      ],
    });
    const boot = userData(r);
    expect(boot.startsWith("#cloud-config\n")).toBe(true);
    expect(boot).toContain(
      "--node-labels=tier=batch,slipway.dev/nodepool=batch,slipway.dev/node-version=1.33.1",
    );
    expect(boot).toContain("--register-with-taints=dedicated=batch:NoSchedule,gpu:NoExecute");
    expect(boot).toContain(`server: ${HOSTED_API}`);
    expect(boot).toContain("token: abcdef.0123456789abcdef");
    expect(boot).toContain("--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf");
  });

  it("keeps the bootstrap token secret: in no plain output, no input outside a secret, no log", async () => {
    const token = `abcdef.${canary().toLowerCase().slice(0, 16)}`;
    const r = await run({}, { token });
    const template = ofType(r, "aws:ec2/launchTemplate:LaunchTemplate")[0]!;
    expect(secretValue(template.inputs.userData)).toBeDefined();
    expect(userData(r)).toContain(token);
    expect(plainSightings(r, token)).toEqual([]);
    // And the cloud credentials stay in the provider, secret, as for a cluster.
    const secretKey = canary();
    const withKey = await nodePoolRunner(
      aws,
      {
        region: "eu-west-1",
        credentialsRef: { name: "aws-creds" },
        subnetIDs: ["subnet-0a1b2c3d"],
        imageID: "ami-0a1b2c3d4e5f60718",
      },
      { ...awsMocks, credentials: () => awsCredentials(secretKey) },
    )();
    expect(plainSightings(withKey, secretKey)).toEqual([]);
  });

  it("refuses inputs the API refuses: a plain http API server, no subnet", async () => {
    expect(() =>
      aws.programs.NodePool!.validate({
        poolName: "batch",
        clusterName: "tenant-a",
        powerState: "Running",
        version: "1.33.1",
        replicas: 2,
        apiServer: "http://insecure:6443",
        caData: "Q0E=",
        poolUID: POOL_UID,
        platform: {
          region: "eu-west-1",
          credentialsRef: { name: "c" },
          subnetIDs: [],
          imageID: "ami-0a1b2c3d",
        },
      }),
    ).toThrow(/apiServer|subnetIDs/);
  });
});
