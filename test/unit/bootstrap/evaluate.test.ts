import { describe, expect, it } from "vitest";
import type { ObjectTemplate } from "../../../src/api/index.js";
import { evaluate } from "../../../src/bootstrap/policies/evaluate.js";
import type { KubeObject } from "../../../src/runtime/resource.js";

const configMap = (data: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "baseline", ...extra },
  data,
});
/** What the API server returns: the object plus what it adds. */
const served = (object: Record<string, unknown>): KubeObject => ({
  ...object,
  metadata: {
    ...(object.metadata as object),
    uid: "u-1",
    resourceVersion: "42",
    creationTimestamp: "2026-01-01T00:00:00Z",
    managedFields: [],
  },
});
const policy = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "deny-ingress", namespace: "baseline" },
  spec: { podSelector: {}, policyTypes: ["Ingress"] },
};

const t = (complianceType: ObjectTemplate["complianceType"], objectDefinition: object): ObjectTemplate => ({
  complianceType,
  objectDefinition: objectDefinition as ObjectTemplate["objectDefinition"],
});

describe("evaluate (OCM ConfigurationPolicy semantics)", () => {
  const cases: {
    case: string;
    template: ObjectTemplate;
    observed?: KubeObject;
    compliant: boolean;
    action: string;
    message: RegExp;
  }[] = [
    {
      case: "musthave, object missing: create",
      template: t("musthave", configMap({ level: "high" })),
      compliant: false,
      action: "create",
      message: /^ConfigMap baseline\/settings is missing$/,
    },
    {
      case: "musthave, object has the fields and more: compliant",
      template: t("musthave", configMap({ level: "high" })),
      observed: served(configMap({ level: "high", other: "x" })),
      compliant: true,
      action: "none",
      message: /is as required/,
    },
    {
      case: "musthave, a field differs: update, naming the path and both values",
      template: t("musthave", configMap({ level: "high" })),
      observed: served(configMap({ level: "low" })),
      compliant: false,
      action: "update",
      message: /data\.level is "low", wants "high"/,
    },
    {
      case: "musthave, a list item is contained in a longer list: compliant (lists merged, not replaced)",
      template: t("musthave", policy),
      observed: served({ ...policy, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }),
      compliant: true,
      action: "none",
      message: /as required/,
    },
    {
      case: "musthave, a list lacks an item",
      template: t("musthave", policy),
      observed: served({ ...policy, spec: { podSelector: {}, policyTypes: ["Egress"] } }),
      compliant: false,
      action: "update",
      message: /spec\.policyTypes lacks "Ingress"/,
    },
    {
      case: "musthave, a label the server or another controller added does not matter",
      template: t("musthave", { apiVersion: "v1", kind: "Namespace", metadata: { name: "baseline" } }),
      observed: served({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "baseline", labels: { "kubernetes.io/metadata.name": "baseline" } },
        spec: { finalizers: ["kubernetes"] },
        status: { phase: "Active" },
      }),
      compliant: true,
      action: "none",
      message: /Namespace baseline is as required/,
    },
    {
      case: "musthave, a required label is missing",
      template: t("musthave", configMap({}, { labels: { team: "a" } })),
      observed: served(configMap({})),
      compliant: false,
      action: "update",
      message: /metadata\.labels/,
    },
    {
      case: "mustonlyhave, an extra key in a named field: update",
      template: t("mustonlyhave", configMap({ level: "high" })),
      observed: served(configMap({ level: "high", other: "x" })),
      compliant: false,
      action: "update",
      message: /data\.other is set \("x"\) but must not be/,
    },
    {
      case: "mustonlyhave, exactly the named fields (labels compared as musthave): compliant",
      template: t("mustonlyhave", configMap({ level: "high" }, { labels: { team: "a" } })),
      observed: served(configMap({ level: "high" }, { labels: { team: "a", added: "by-someone" } })),
      compliant: true,
      action: "none",
      message: /as required/,
    },
    {
      case: "mustonlyhave, a list with an extra item",
      template: t("mustonlyhave", policy),
      observed: served({ ...policy, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }),
      compliant: false,
      action: "update",
      message: /spec\.policyTypes is \["Ingress","Egress"\], wants exactly \["Ingress"\]|spec is/,
    },
    {
      case: "mustonlyhave, a list in another order: compliant",
      template: t("mustonlyhave", {
        ...policy,
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      }),
      observed: served({ ...policy, spec: { podSelector: {}, policyTypes: ["Egress", "Ingress"] } }),
      compliant: true,
      action: "none",
      message: /as required/,
    },
    {
      case: "mustonlyhave, object missing: create",
      template: t("mustonlyhave", configMap({ level: "high" })),
      compliant: false,
      action: "create",
      message: /is missing/,
    },
    {
      case: "mustnothave, object absent: compliant",
      template: t("mustnothave", { apiVersion: "v1", kind: "Namespace", metadata: { name: "legacy" } }),
      compliant: true,
      action: "none",
      message: /^Namespace legacy does not exist, as required$/,
    },
    {
      case: "mustnothave, named object exists (whatever its fields): delete",
      template: t("mustnothave", configMap({ level: "high" })),
      observed: served(configMap({ level: "other" })),
      compliant: false,
      action: "delete",
      message: /^ConfigMap baseline\/settings exists but must not$/,
    },
    {
      case: "numbers and strings the API normalises compare equal",
      template: t("musthave", { ...configMap({}), spec: { replicas: "3" } }),
      observed: served({ ...configMap({}), spec: { replicas: 3 } }),
      compliant: true,
      action: "none",
      message: /as required/,
    },
  ];

  it.each(cases)("$case", ({ template, observed, compliant, action, message }) => {
    const result = evaluate(template, observed);
    expect(result.compliant).toBe(compliant);
    expect(result.action).toBe(action);
    expect(result.message).toMatch(message);
  });

  it("never shows a Secret's values in its message", () => {
    const secret = (value: string) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "token", namespace: "baseline" },
      stringData: undefined,
      data: { token: Buffer.from(value).toString("base64") },
    });
    const result = evaluate(
      t("musthave", secret("wanted-secret-value")),
      served(secret("actual-secret-value")),
    );
    expect(result.compliant).toBe(false);
    expect(result.message).toContain("data.token differs");
    expect(result.message).not.toContain(Buffer.from("wanted-secret-value").toString("base64"));
    expect(result.message).not.toContain(Buffer.from("actual-secret-value").toString("base64"));
  });
});
