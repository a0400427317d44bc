import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../../src/errors/index.js";
import { repoRoot } from "../../../src/runtime/paths.js";
import {
  allowingRule,
  RBAC_RULES_TEMPLATE,
  rbacRules,
  renderRbacRulesTemplate,
  requestAttributes,
  ruleResources,
} from "../../../src/runtime/rbac.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { KubeConfig } from "@kubernetes/client-node";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

describe("the RBAC table the chart is generated from", () => {
  it("is what charts/slipway/templates/_rbac-rules.tpl holds (npm run gen:crds writes it)", () => {
    expect(readFileSync(join(repoRoot, RBAC_RULES_TEMPLATE), "utf8")).toBe(renderRbacRulesTemplate());
  });

  it("grants no wildcard, and says for each rule which source files call it, files that exist", () => {
    for (const rules of Object.values(rbacRules)) {
      for (const rule of rules) {
        expect([rule.apiGroup, ...ruleResources(rule), ...rule.verbs]).not.toContain("*");
        for (const file of rule.why.match(/(src|stacks)\/[\w/.-]+\.ts/g) ?? [])
          expect(existsSync(join(repoRoot, file)), `${file} named by ${rule.resource}`).toBe(true);
      }
    }
  });
});

describe("requestAttributes: a REST request as RBAC authorizes it", () => {
  const cases: [string, string, string, object][] = [
    [
      "GET",
      "/apis/slipway.dev/v1alpha1/namespaces/a/clusterdeployments/x",
      "",
      { verb: "get", resource: "clusterdeployments", namespace: "a", name: "x" },
    ],
    [
      "GET",
      "/apis/slipway.dev/v1alpha1/namespaces/a/clusterdeployments",
      "limit=500",
      { verb: "list", apiGroup: "slipway.dev" },
    ],
    [
      "GET",
      "/apis/slipway.dev/v1alpha1/clusterdeployments",
      "watch=true",
      { verb: "watch", namespace: undefined },
    ],
    [
      "PATCH",
      "/apis/slipway.dev/v1alpha1/namespaces/a/clusterdeployments/x/status",
      "",
      { verb: "patch", resource: "clusterdeployments/status" },
    ],
    [
      "POST",
      "/api/v1/namespaces/c/serviceaccounts/agent/token",
      "",
      { verb: "create", apiGroup: "", resource: "serviceaccounts/token" },
    ],
    [
      "PUT",
      "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/approval",
      "",
      { verb: "update", resource: "certificatesigningrequests/approval" },
    ],
    [
      "DELETE",
      "/api/v1/namespaces/x",
      "",
      { verb: "delete", resource: "namespaces", name: "x", namespace: undefined },
    ],
    ["GET", "/api/v1/namespaces/x", "", { verb: "get", resource: "namespaces", name: "x" }],
  ];
  it.each(cases)("%s %s?%s", (method, path, query, expected) => {
    expect(requestAttributes(method, path, new URLSearchParams(query))).toMatchObject(expected);
  });

  it("has no answer for non-resource paths", () => {
    expect(requestAttributes("GET", "/livez")).toBeUndefined();
    expect(requestAttributes("GET", "/version")).toBeUndefined();
  });

  it("finds the rule that allows a request, honouring resourceNames", () => {
    const patchStatus = requestAttributes(
      "PATCH",
      "/apis/slipway.dev/v1alpha1/namespaces/a/clusterpools/p/status",
    )!;
    expect(allowingRule(rbacRules.controller, patchStatus)?.resource).toContain("clusterpools/status");
    expect(allowingRule(rbacRules.worker, patchStatus)).toBeUndefined();
    const rule = rbacRules.controller.find((r) => r.resourceNames)!;
    const approve = { verb: "approve", apiGroup: rule.apiGroup, resource: rule.resource };
    expect(allowingRule([rule], { ...approve, name: rule.resourceNames![0] })).toBe(rule);
    expect(allowingRule([rule], { ...approve, name: "example.com/other-signer" })).toBeUndefined();
  });
});

describe("a 403 from the hub", () => {
  /** The message of the error a patch gets from an API server that answers 403 with `serverMessage`. */
  async function deniedPatch(
    path: { plural: string; group: string; subresource?: string },
    serverMessage: string,
  ) {
    const server = createServer((_req, res) => {
      res.writeHead(403, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", reason: "Forbidden", message: serverMessage }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      // Plain HTTP on loopback: the client allows it only without TLS verification.
      clusters: [
        {
          name: "c",
          server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          skipTLSVerify: true,
        },
      ],
      users: [{ name: "u" }],
      contexts: [{ name: "c", cluster: "c", user: "u" }],
      currentContext: "c",
    });
    const client = new KubeClient(kc);
    try {
      const resource = { group: path.group, version: "v1", kind: "K", plural: path.plural, namespaced: true };
      const error = await client
        .patch(
          resource,
          "team-a",
          "x",
          {},
          { type: "apply", fieldManager: "m", subresource: path.subresource },
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KubeApiError);
      expect((error as KubeApiError).statusCode).toBe(403);
      return (error as Error).message;
    } finally {
      client.close();
      server.close();
    }
  }

  it("says which verb on which resource RBAC does not allow, before the server's own words", async () => {
    const message = await deniedPatch(
      { plural: "clusterdeployments", group: "slipway.dev", subresource: "status" },
      'clusterdeployments.slipway.dev "x" is forbidden: User "system:serviceaccount:s:c" cannot patch resource "clusterdeployments/status" in API group "slipway.dev" in the namespace "team-a"',
    );
    expect(message).toContain(
      "403 Forbidden: RBAC does not allow patch clusterdeployments/status.slipway.dev in namespace team-a to this identity: clusterdeployments.slipway.dev",
    );
  });

  it("names create for a server-side apply that would create the object, as the server does", async () => {
    const message = await deniedPatch(
      { plural: "secrets", group: "" },
      'secrets "x" is forbidden: User "system:serviceaccount:s:w" cannot create resource "secrets" in API group "" in the namespace "team-a"',
    );
    expect(message).toContain("RBAC does not allow create secrets in namespace team-a to this identity");
  });
});
