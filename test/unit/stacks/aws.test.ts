import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { platformDefinition, stackProgramFor } from "../../../stacks/index.js";

// The aws platform is a skeleton for the clouds issue: schema, defaults, credentials and a program that declares
// nothing yet. Pulumi's mocks run the program without a cloud and record what it registers.
describe("aws platform skeleton", () => {
  const registered: { type: string; custom: boolean }[] = [];
  const aws = platformDefinition("aws")!;
  const clusterDeployment = aws.programs.ClusterDeployment!;

  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, custom: args.custom ?? true });
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
      },
      "slipway",
      "aws-skeleton",
      false,
    );
  });

  it("applies the API's defaults and names the credentials it needs", () => {
    const inputs = clusterDeployment.validate({
      clusterName: "eks-1",
      powerState: "Running",
      platform: { region: "eu-west-1", credentialsRef: { name: "aws-creds" } },
    }) as { platform: Record<string, unknown>; attempt: number };
    expect(inputs.platform).toMatchObject({
      vpcCIDR: "10.0.0.0/16",
      nodePools: [{ name: "workers", replicas: 2, instanceType: "m6i.large", diskSizeGiB: 50 }],
    });
    expect(inputs.attempt).toBe(1);
    expect(aws.credentials?.keys).toEqual(["aws_access_key_id", "aws_secret_access_key"]);
  });

  it("refuses inputs the API would refuse, naming the field", () => {
    expect(() =>
      clusterDeployment.validate({
        clusterName: "eks-1",
        powerState: "Running",
        platform: { region: "Frankfurt", credentialsRef: { name: "aws-creds" } },
      }),
    ).toThrow(/InvalidInputs|inputs\.platform\.region/);
  });

  it("declares no cloud resource yet and claims no outputs", async () => {
    const inputs = clusterDeployment.validate({
      clusterName: "eks-1",
      powerState: "Running",
      platform: { region: "eu-west-1", credentialsRef: { name: "aws-creds" } },
    });
    const outputs = await clusterDeployment.program(inputs)();
    expect(outputs).toEqual({});
    await pulumi.runtime.disconnect(); // waits until every registration reached the mocks
    expect(registered.filter((r) => r.custom)).toEqual([]);
    expect(registered.map((r) => r.type)).toEqual(["slipway:aws:Cluster"]);
  });

  it("is not runnable: the runner refuses it before Pulumi starts", () => {
    expect(aws.implemented).toBe(false);
    expect(() => stackProgramFor("ClusterDeployment", "aws")).toThrow(
      /no ClusterDeployment program for platform "aws"/,
    );
  });
});
