import { describe, expect, expectTypeOf, it } from "vitest";
import {
  clusterDeploymentSpec,
  crds,
  s,
  type ClusterDeploymentSpec,
  type ClusterDeploymentSpecInput,
  type Condition,
  type Infer,
  type InferInput,
  type JSONSchemaProps,
  type NodePoolSpec,
  type PlatformName,
} from "../../../src/api/index.js";
import { platformOf } from "../../../src/api/platform.js";

describe("schema builder", () => {
  const sample = s.object({
    name: s.string({ maxLength: 10 }).required(),
    mode: s.enum(["a", "b"], { default: "a" }),
    note: s.string(),
    tags: s.map(s.string()),
    items: s.array(s.object({ id: s.integer().required() }), {
      listType: "map",
      listMapKeys: ["id"],
      maxItems: 4,
    }),
  });

  it("derives the read and the write types from one declaration", () => {
    expectTypeOf<Infer<typeof sample>>().toEqualTypeOf<{
      name: string;
      mode: "a" | "b";
      note?: string;
      tags?: Record<string, string>;
      items?: { id: number }[];
    }>();
    expectTypeOf<InferInput<typeof sample>>().toEqualTypeOf<{
      name: string;
      mode?: "a" | "b";
      note?: string;
      tags?: Record<string, string>;
      items?: { id: number }[];
    }>();
  });

  it("builds the structural schema", () => {
    expect(sample.json).toEqual({
      type: "object",
      properties: {
        name: { type: "string", maxLength: 10 },
        mode: { type: "string", enum: ["a", "b"], default: "a" },
        note: { type: "string" },
        tags: { type: "object", additionalProperties: { type: "string" } },
        items: {
          type: "array",
          items: { type: "object", properties: { id: { type: "integer" } }, required: ["id"] },
          maxItems: 4,
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["id"],
        },
      },
      required: ["name"],
    });
  });
});

describe("API types", () => {
  it("read types carry defaults, write types leave them out", () => {
    expectTypeOf<ClusterDeploymentSpec["powerState"]>().toEqualTypeOf<"Running" | "Hibernating">();
    expectTypeOf<ClusterDeploymentSpecInput["powerState"]>().toEqualTypeOf<
      "Running" | "Hibernating" | undefined
    >();
    expectTypeOf<NodePoolSpec["management"]["upgradeType"]>().toEqualTypeOf<"Replace" | "InPlace">();
    expectTypeOf<Condition["status"]>().toEqualTypeOf<"True" | "False" | "Unknown">();
    const spec: ClusterDeploymentSpecInput = { clusterName: "a", platform: { simulated: {} } };
    expect(platformOf(spec)).toBe<PlatformName>("simulated");
  });
});

function walk(
  schema: JSONSchemaProps,
  path: string,
  visit: (schema: JSONSchemaProps, path: string) => void,
): void {
  visit(schema, path);
  for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, `${path}.${name}`, visit);
  if (schema.items) walk(schema.items, `${path}[]`, visit);
  if (schema.additionalProperties) walk(schema.additionalProperties, `${path}{}`, visit);
}

describe("CRDs", () => {
  it("every CEL rule says what to fix", () => {
    for (const crd of crds()) {
      walk(crd.spec.versions[0]!.schema.openAPIV3Schema, crd.spec.names.kind, (schema, path) => {
        for (const rule of schema["x-kubernetes-validations"] ?? []) {
          expect(rule.message.length, `${path}: ${rule.rule}`).toBeGreaterThan(15);
        }
      });
    }
  });

  it("every spec field is described", () => {
    for (const crd of crds()) {
      const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;
      walk(spec, `${crd.spec.names.kind}.spec`, (schema, path) => {
        if (path.endsWith("[]") || path.endsWith("{}")) return;
        expect(schema.description, path).toBeTruthy();
      });
    }
  });

  it("has status subresources, short names and the slipway category", () => {
    for (const crd of crds()) {
      expect(crd.spec.versions[0]!.subresources.status).toEqual({});
      expect(crd.spec.names.shortNames.length).toBeGreaterThan(0);
      expect(crd.spec.names.categories).toEqual(["slipway"]);
    }
    const scaled = crds()
      .filter((c) => c.spec.versions[0]!.subresources.scale)
      .map((c) => c.spec.names.kind);
    expect(scaled.sort()).toEqual(["ClusterPool", "NodePool"]);
  });

  it("the ClusterDeployment spec schema is the one exported for stacks", () => {
    const cd = crds().find((c) => c.spec.names.kind === "ClusterDeployment")!;
    expect(cd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec).toBe(clusterDeploymentSpec.json);
  });
});
