/**
 * The protected set (src/api/protected-objects.ts) and what a policy may do to it (src/bootstrap/policies/
 * protected.ts): the whole class, every built-in kind and pattern, the administrator's additions, and what stays
 * allowed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BUILT_IN_PROTECTED_OBJECTS,
  describeClass,
  matchesPattern,
  parseProtectedObjects,
  protectedObjectRules,
  type ObjectRef,
  type ObjectTemplate,
} from "../../../src/api/index.js";
import { ConfigError } from "../../../src/errors/index.js";
import {
  BUILT_IN_PROTECTED_SET,
  enforceRefusal,
  ProtectedSet,
  protectedTemplates,
  protectedTemplatesMessage,
  rewrittenFields,
} from "../../../src/bootstrap/policies/protected.js";
import { loadConfig } from "../../../src/runtime/config.js";
import { repoRoot } from "../../../src/runtime/paths.js";
import type { KubeObject } from "../../../src/runtime/resource.js";

const ref = (apiVersion: string, kind: string, name: string, namespace?: string): ObjectRef => ({
  apiVersion,
  kind,
  name,
  ...(namespace ? { namespace } : {}),
});

function template(
  complianceType: ObjectTemplate["complianceType"],
  object: Record<string, unknown>,
): ObjectTemplate {
  return { complianceType, objectDefinition: object as ObjectTemplate["objectDefinition"] };
}

const ns = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

describe("the built-in protected set", () => {
  it.each([
    // Kubernetes' namespaces and OCM's agent namespaces, and what is in them
    ref("v1", "Namespace", "kube-system"),
    ref("v1", "Namespace", "kube-public"),
    ref("v1", "Namespace", "kube-node-lease"),
    ref("v1", "Namespace", "default"),
    ref("v1", "Namespace", "open-cluster-management-agent"),
    ref("v1", "Namespace", "open-cluster-management-agent-addon"),
    ref("v1", "Namespace", "open-cluster-management"),
    ref("v1", "ConfigMap", "coredns", "kube-system"),
    ref("apps/v1", "Deployment", "anything", "kube-system"),
    ref("v1", "ConfigMap", "cluster-info", "kube-public"),
    ref("coordination.k8s.io/v1", "Lease", "node-1", "kube-node-lease"),
    // Slipway's registration material: the bootstrap kubeconfig, the klusterlet operator
    ref("v1", "Secret", "bootstrap-hub-kubeconfig", "open-cluster-management-agent"),
    ref("v1", "Secret", "hub-kubeconfig-secret", "open-cluster-management-agent"),
    ref("apps/v1", "Deployment", "klusterlet", "open-cluster-management"),
    ref("v1", "ServiceAccount", "klusterlet", "open-cluster-management"),
    ref("apps/v1", "Deployment", "some-addon", "open-cluster-management-agent-addon"),
    // the API server's own Service in default, the root CA in every namespace
    ref("v1", "Service", "kubernetes", "default"),
    ref("v1", "Endpoints", "kubernetes"),
    ref("discovery.k8s.io/v1", "EndpointSlice", "kubernetes", "default"),
    ref("v1", "ConfigMap", "kube-root-ca.crt", "team-a"),
    // OCM's CRDs and kinds
    ref(
      "apiextensions.k8s.io/v1",
      "CustomResourceDefinition",
      "clusterclaims.cluster.open-cluster-management.io",
    ),
    ref(
      "apiextensions.k8s.io/v1",
      "CustomResourceDefinition",
      "appliedmanifestworks.work.open-cluster-management.io",
    ),
    ref(
      "apiextensions.k8s.io/v1",
      "CustomResourceDefinition",
      "klusterlets.operator.open-cluster-management.io",
    ),
    ref("operator.open-cluster-management.io/v1", "Klusterlet", "klusterlet"),
    ref("work.open-cluster-management.io/v1", "AppliedManifestWork", "abc-def"),
    ref("cluster.open-cluster-management.io/v1alpha1", "ClusterClaim", "id.k8s.io"),
    ref("cluster.open-cluster-management.io/v1alpha1", "ClusterClaim", "platform.open-cluster-management.io"),
    // RBAC Kubernetes and OCM run on
    ref("rbac.authorization.k8s.io/v1", "ClusterRole", "system:node"),
    ref("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "system:kube-scheduler"),
    ref("rbac.authorization.k8s.io/v1", "ClusterRole", "cluster-admin"),
    ref("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "cluster-admin"),
    ref("rbac.authorization.k8s.io/v1", "ClusterRole", "view"),
    ref("rbac.authorization.k8s.io/v1", "ClusterRole", "klusterlet"),
    ref(
      "rbac.authorization.k8s.io/v1",
      "ClusterRoleBinding",
      "open-cluster-management:klusterlet-registration:agent",
    ),
    ref("scheduling.k8s.io/v1", "PriorityClass", "system-node-critical"),
  ])("protects $kind $namespace $name", (r) => {
    const by = BUILT_IN_PROTECTED_SET.protecting(r);
    expect(by?.source).toBe("built-in");
    expect(by?.why.length).toBeGreaterThan(20);
  });

  it.each([
    ref("v1", "Namespace", "team-a"),
    ref("v1", "Namespace", "kube-systemx"),
    ref("v1", "Namespace", "legacy-tools"),
    ref("v1", "ConfigMap", "settings", "default"),
    ref("v1", "Service", "kubernetes", "team-a"),
    ref("v1", "ConfigMap", "kube-system", "default"),
    ref("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"),
    ref("rbac.authorization.k8s.io/v1", "ClusterRole", "platform:reader"),
    ref("rbac.authorization.k8s.io/v1", "ClusterRole", "systemx"),
    // a Role of that name in a user namespace: the system: rule is about cluster-wide RBAC
    ref("rbac.authorization.k8s.io/v1", "Role", "system:thing", "team-a"),
    ref("cluster.open-cluster-management.io/v1alpha1", "ClusterClaim", "team.example.com"),
    ref("scheduling.k8s.io/v1", "PriorityClass", "batch-low"),
    // the same kind name in another group is another kind
    ref("example.com/v1", "Klusterlet", "klusterlet"),
  ])("leaves $kind $namespace $name to policies", (r) => {
    expect(BUILT_IN_PROTECTED_SET.protecting(r)).toBeUndefined();
  });

  it("uses only the patterns CEL and the controller both understand", () => {
    for (const c of BUILT_IN_PROTECTED_OBJECTS)
      for (const p of [...c.names, ...(c.namespaces ?? [])])
        expect(/^(\*|\*?[^*]+|[^*]+\*)$/.test(p), p).toBe(true);
    expect(matchesPattern("system:*", "system:node")).toBe(true);
    expect(matchesPattern("*.open-cluster-management.io", "a.open-cluster-management.io")).toBe(true);
    expect(matchesPattern("*.open-cluster-management.io", "open-cluster-management.io")).toBe(false);
    expect(matchesPattern("*", "")).toBe(true);
  });

  it("is the table docs/bootstrap-policies.md shows", () => {
    const docs = readFileSync(join(repoRoot, "docs", "bootstrap-policies.md"), "utf8");
    for (const c of BUILT_IN_PROTECTED_OBJECTS) expect(docs).toContain(`| \`${describeClass(c)}\``);
  });

  it("gives admission one rule per built-in class, each saying what is protected and why", () => {
    const rules = protectedObjectRules();
    expect(rules).toHaveLength(BUILT_IN_PROTECTED_OBJECTS.length);
    for (const rule of rules) {
      expect(rule.rule).toMatch(/^self\.remediationAction != 'enforce' \|\| !self\.objectTemplates\.exists/);
      expect(rule.message).toMatch(/^enforce may not delete \(mustnothave\) or rewrite \(mustonlyhave\) /);
      expect(rule.fieldPath).toBe(".objectTemplates");
    }
    expect(rules[0]!.message).toContain("Namespace kube-system, kube-public, kube-node-lease or default");
    expect(rules.map((r) => r.message).join("\n")).toContain(
      "any object in namespace kube-system, kube-public, kube-node-lease, open-cluster-management-agent",
    );
  });
});

describe("the administrator's additions", () => {
  it("parses Kind[.group]/[namespace/]name entries and only adds to the built-in set", () => {
    const extra = parseProtectedObjects(
      " Namespace/payments, */payments/*,ClusterRole.rbac.authorization.k8s.io/platform:*",
    );
    expect(extra).toEqual([
      expect.objectContaining({ kinds: ["Namespace"], group: "*", names: ["payments"] }),
      expect.objectContaining({ kinds: ["*"], group: "*", namespaces: ["payments"], names: ["*"] }),
      expect.objectContaining({
        kinds: ["ClusterRole"],
        group: "rbac.authorization.k8s.io",
        names: ["platform:*"],
      }),
    ]);
    const set = new ProtectedSet(extra);
    expect(set.protecting(ref("v1", "Namespace", "payments"))?.why).toContain("SLIPWAY_PROTECTED_OBJECTS");
    expect(set.protecting(ref("v1", "Secret", "db", "payments"))?.source).toBe("*/payments/*");
    expect(
      set.protecting(ref("rbac.authorization.k8s.io/v1", "ClusterRole", "platform:admin")),
    ).toBeDefined();
    // The built-in set is always there: nothing an administrator writes removes an entry.
    for (const c of BUILT_IN_PROTECTED_OBJECTS) expect(set.classes).toContain(c);
    expect(new ProtectedSet().classes).toEqual(BUILT_IN_PROTECTED_OBJECTS);
  });

  it("a Kind/name entry protects that name in every namespace", () => {
    const set = new ProtectedSet(parseProtectedObjects("ConfigMap/platform-settings"));
    expect(set.protecting(ref("v1", "ConfigMap", "platform-settings", "team-a"))).toBeDefined();
    expect(set.protecting(ref("v1", "ConfigMap", "other", "team-a"))).toBeUndefined();
  });

  it.each([
    ["Namespace", "has not two or three parts"],
    ["Namespace/a/b/c", "has not two or three parts"],
    ["Namespace//x", "has not two or three parts"],
    ["Name space/x", "names no kind"],
    ["ClusterRole.RBAC/x", "names no API group"],
    ["Namespace/a*b", "a * inside"],
  ])("refuses %s in words", (entry, says) => {
    expect(() => parseProtectedObjects(entry)).toThrow(ConfigError);
    expect(() => parseProtectedObjects(entry)).toThrow(says);
    expect(() => loadConfig({ SLIPWAY_PROTECTED_OBJECTS: entry })).toThrow(/SLIPWAY_PROTECTED_OBJECTS/);
  });

  it("comes from SLIPWAY_PROTECTED_OBJECTS; unset: no additions", () => {
    expect(loadConfig({}).policies.protectedObjects).toEqual([]);
    expect(
      loadConfig({ SLIPWAY_PROTECTED_OBJECTS: "Namespace/payments" }).policies.protectedObjects,
    ).toHaveLength(1);
  });
});

describe("protectedTemplates: what the controller refuses (Stalled ProtectedObject)", () => {
  const extra = new ProtectedSet(parseProtectedObjects("Namespace/payments"));

  it.each([
    ["mustnothave", "enforce", ns("kube-system"), "would delete Namespace kube-system"],
    ["mustonlyhave", "enforce", ns("default"), "would rewrite Namespace default"],
    [
      "mustnothave",
      "enforce",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns", namespace: "kube-system" } },
      "would delete ConfigMap kube-system/coredns",
    ],
    // a namespaced object without a namespace lands in default: the API server's Service is protected there
    [
      "mustnothave",
      "enforce",
      { apiVersion: "v1", kind: "Service", metadata: { name: "kubernetes" } },
      "would delete Service kubernetes",
    ],
    ["mustnothave", "enforce", ns("payments"), "the administrator protects it (SLIPWAY_PROTECTED_OBJECTS"],
  ] as const)("%s with %s of %j: refused", (complianceType, remediationAction, object, says) => {
    const found = protectedTemplates(
      {
        remediationAction,
        objectTemplates: [template("musthave", ns("fine")), template(complianceType, object)],
      },
      extra,
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.index).toBe(1);
    const message = protectedTemplatesMessage(found);
    expect(message).toContain("spec.objectTemplates[1]");
    expect(message).toContain(says);
    expect(message).toContain("Nothing of this policy is done until it changes");
  });

  it.each([
    ["inform reports only", "inform", "mustnothave", ns("kube-system")],
    ["musthave only adds (checked on the cluster)", "enforce", "musthave", ns("kube-system")],
    ["an object of the policy's own", "enforce", "mustnothave", ns("legacy-tools")],
    [
      "an object in a user namespace",
      "enforce",
      "mustonlyhave",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "team-a" } },
    ],
  ] as const)("%s: allowed", (_case, remediationAction, complianceType, object) => {
    expect(
      protectedTemplates({ remediationAction, objectTemplates: [template(complianceType, object)] }, extra),
    ).toEqual([]);
  });
});

describe("enforceRefusal: what the worker leaves alone on the cluster", () => {
  const kubeSystem = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "kube-system", labels: { "kubernetes.io/metadata.name": "kube-system", tier: "core" } },
    spec: { finalizers: ["kubernetes"] },
  } as KubeObject;
  const nsRef = ref("v1", "Namespace", "kube-system");

  it("musthave that only adds a label to kube-system: enforce goes ahead", () => {
    const t = template("musthave", {
      ...ns("kube-system"),
      metadata: { name: "kube-system", labels: { owner: "platform" } },
    });
    expect(rewrittenFields(t, kubeSystem)).toEqual([]);
    expect(enforceRefusal(t, nsRef, kubeSystem, "update", BUILT_IN_PROTECTED_SET)).toBeUndefined();
  });

  it("musthave creating an object in kube-system (adding): enforce goes ahead", () => {
    const t = template("musthave", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "extra", namespace: "kube-system" },
      data: { a: "b" },
    });
    expect(
      enforceRefusal(
        t,
        ref("v1", "ConfigMap", "extra", "kube-system"),
        undefined,
        "create",
        BUILT_IN_PROTECTED_SET,
      ),
    ).toBeUndefined();
  });

  it("musthave changing a label value of kube-system: left alone, naming the path", () => {
    const t = template("musthave", {
      ...ns("kube-system"),
      metadata: { name: "kube-system", labels: { tier: "x" } },
    });
    expect(rewrittenFields(t, kubeSystem)).toEqual(["metadata.labels.tier"]);
    const message = enforceRefusal(t, nsRef, kubeSystem, "update", BUILT_IN_PROTECTED_SET);
    expect(message).toMatch(
      /^ProtectedObjectUnchanged: Namespace kube-system is protected \(Kubernetes needs it/,
    );
    expect(message).toContain("would change metadata.labels.tier; it is left as it is");
  });

  it("musthave replacing a list a protected object has: left alone; a list it lacks or already holds: allowed", () => {
    const role: KubeObject = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "system:node" },
      rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }],
    } as KubeObject;
    const r = ref("rbac.authorization.k8s.io/v1", "ClusterRole", "system:node");
    const replaces = template("musthave", {
      ...role,
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }],
    });
    expect(enforceRefusal(replaces, r, role, "update", BUILT_IN_PROTECTED_SET)).toContain(
      "would change rules",
    );
    const holds = template("musthave", { ...role, aggregationRule: { clusterRoleSelectors: [] } });
    expect(rewrittenFields(holds, role)).toEqual([]);
  });

  it("a Secret's values never appear: only the field paths", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "bootstrap-hub-kubeconfig", namespace: "open-cluster-management-agent" },
      data: { kubeconfig: "c2VjcmV0" },
    } as KubeObject;
    const t = template("musthave", { ...secret, data: { kubeconfig: "b3RoZXI=" } });
    const message = enforceRefusal(
      t,
      ref("v1", "Secret", "bootstrap-hub-kubeconfig", "open-cluster-management-agent"),
      secret,
      "update",
      BUILT_IN_PROTECTED_SET,
    )!;
    expect(message).toContain("data.kubeconfig");
    expect(message).not.toContain("c2VjcmV0");
    expect(message).not.toContain("b3RoZXI=");
  });

  it.each([
    ["mustnothave", "delete", "enforce does not delete it (mustnothave)"],
    ["mustonlyhave", "update", "enforce does not rewrite it (mustonlyhave)"],
    ["mustonlyhave", "create", "enforce does not rewrite it (mustonlyhave)"],
  ] as const)("%s (%s) of a protected object: left alone", (complianceType, action, says) => {
    const t = template(complianceType, ns("kube-system"));
    expect(enforceRefusal(t, nsRef, kubeSystem, action, BUILT_IN_PROTECTED_SET)).toContain(says);
  });

  it("the administrator's additions are left alone too; other objects and compliant ones are not the set's business", () => {
    const set = new ProtectedSet(parseProtectedObjects("Namespace/payments"));
    const payments = ns("payments");
    expect(
      enforceRefusal(
        template("mustnothave", payments),
        ref("v1", "Namespace", "payments"),
        payments,
        "delete",
        set,
      ),
    ).toContain("the administrator protects it");
    const legacy = ns("legacy-tools");
    expect(
      enforceRefusal(
        template("mustnothave", legacy),
        ref("v1", "Namespace", "legacy-tools"),
        legacy,
        "delete",
        set,
      ),
    ).toBeUndefined();
    expect(
      enforceRefusal(
        template("mustnothave", payments),
        ref("v1", "Namespace", "payments"),
        undefined,
        "none",
        set,
      ),
    ).toBeUndefined();
  });
});
