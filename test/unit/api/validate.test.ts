import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  applyDefaults,
  clusterDeploymentSpec,
  kindDefinition,
  nodePoolSpec,
  parse,
  validate,
  type Kind,
} from "../../../src/api/index.js";
import { SchemaValidationError } from "../../../src/errors/index.js";
import { repoRoot } from "../../../src/runtime/paths.js";
import { awsSpec } from "../../builders/manifests.js";

const examplesDir = join(repoRoot, "examples");

describe("validate", () => {
  const examples = readdirSync(examplesDir).flatMap((file) =>
    parseAllDocuments(readFileSync(join(examplesDir, file), "utf8")).map((doc) => {
      const obj = doc.toJS() as { kind: Kind; metadata: { name: string }; spec: unknown };
      return { name: `${file}: ${obj.kind} ${obj.metadata.name}`, kind: obj.kind, spec: obj.spec };
    }),
  );

  it.each(examples)("accepts $name", ({ kind, spec }) => {
    expect(validate(kindDefinition(kind).spec, applyDefaults(kindDefinition(kind).spec.json, spec))).toEqual(
      [],
    );
  });

  it("names every structural error with its path", () => {
    const errors = validate(clusterDeploymentSpec, {
      clusterName: "Bad_Name",
      powerState: "Sleeping",
      platform: { aws: { region: "eu-west-1", nodePools: [{ name: "a" }, { name: "a" }], colour: "blue" } },
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        {
          path: "spec.clusterName",
          message: expect.stringContaining("must be lower-case letters, digits and '-'"),
        },
        { path: "spec.powerState", message: expect.stringContaining('Unsupported value: "Sleeping"') },
        { path: "spec.platform.aws.credentialsRef", message: "Required value" },
        { path: "spec.platform.aws.nodePools[1]", message: expect.stringContaining("Duplicate value") },
        { path: "spec.platform.aws.colour", message: "field not declared in schema" },
      ]),
    );
  });
});

describe("parse", () => {
  it("applies defaults the way the API server does, nested ones included", () => {
    const spec = parse(clusterDeploymentSpec, awsSpec());
    expect(spec.powerState).toBe("Running");
    expect(spec.registration.clusterSet).toBe("default");
    expect(spec.platform.aws?.nodePools).toEqual([
      { name: "workers", replicas: 2, instanceType: "m6i.large", diskSizeGiB: 50 },
    ]);
    const awsPool = {
      region: "eu-west-1",
      credentialsRef: { name: "aws-creds" },
      subnetIDs: ["subnet-0a1b2c3d"],
      imageID: "ami-0a1b2c3d",
    };
    const np = parse(nodePoolSpec, { clusterName: "hc", replicas: 1, platform: { aws: awsPool } });
    expect(np.management).toEqual({
      upgradeType: "Replace",
      autoRepair: false,
      maxUnavailable: 0,
      maxSurge: 1,
    });
    expect(np.platform.aws).toEqual({ ...awsPool, instanceType: "m6i.large", diskSizeGiB: 50 });
  });

  it("throws a SchemaValidationError listing the bad fields", () => {
    expect(() => parse(clusterDeploymentSpec, { clusterName: "x" })).toThrow(SchemaValidationError);
    expect(() => parse(clusterDeploymentSpec, { clusterName: "x" })).toThrow("spec.platform: Required value");
  });
});
