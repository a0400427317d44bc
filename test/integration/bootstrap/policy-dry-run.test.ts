/**
 * A template compared as the API server stores it: the spoke side of a policy evaluation (dry run of enforce's
 * write, the write, the check after it) against a real kube-apiserver (the shared hub, in a namespace of its own).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObjectTemplate } from "../../../src/api/index.js";
import { evaluate } from "../../../src/bootstrap/policies/evaluate.js";
import { evaluateOnSpoke } from "../../../src/bootstrap/policies/evaluation-job.js";
import { SpokeDiscovery } from "../../../src/bootstrap/policies/spoke.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import type { KubeObject } from "../../../src/runtime/resource.js";
import { hubKubeConfig, kubectl, kubectlOk, newNamespace } from "../../harness/hub.js";

describe("policy templates compared as the API server stores them", () => {
  let spoke: KubeClient;
  let ns: string;

  const template = (complianceType: ObjectTemplate["complianceType"], object: object): ObjectTemplate => ({
    complianceType,
    objectDefinition: object as ObjectTemplate["objectDefinition"],
  });
  /** One evaluation, as the job runs it for one template (a fresh discovery, as a job has). */
  const run = (t: ObjectTemplate, enforce: boolean) =>
    evaluateOnSpoke(spoke, new SpokeDiscovery(spoke), t, enforce);
  const get = async (kind: string, name: string) =>
    JSON.parse(await kubectlOk(["get", kind, "-n", ns, name, "-o", "json"])) as KubeObject;

  beforeAll(async () => {
    spoke = new KubeClient(hubKubeConfig());
    ns = await newNamespace("policy-dry-run");
  });
  afterAll(async () => {
    await kubectl(["delete", "namespace", ns, "--wait=false"]);
    spoke?.close();
  });

  it("a Secret written with stringData is Compliant with mustonlyhave right after its own enforce; drift names keys, never values", async () => {
    const creds = template("mustonlyhave", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds", namespace: ns },
      stringData: { password: "s3cret-value-1" },
    });
    expect(await run(creds, true)).toMatchObject({ compliant: true, message: `Secret ${ns}/creds created` });
    const stored = await get("secret", "creds");
    // As written, the template does not match what the server stored (the old comparison said NonCompliant).
    expect(evaluate(creds, stored).compliant).toBe(false);
    expect(await run(creds, false)).toMatchObject({
      compliant: true,
      message: `Secret ${ns}/creds is as required (as the API server stores the template)`,
    });

    // Someone adds a key and changes the value: mustonlyhave names both paths, shows neither value.
    await kubectlOk([
      "patch",
      "secret",
      "creds",
      "-n",
      ns,
      "--type=merge",
      "-p",
      JSON.stringify({ stringData: { password: "s3cret-value-2", extra: "s3cret-value-3" } }),
    ]);
    const drifted = await run(creds, false);
    expect(drifted.compliant).toBe(false);
    expect(drifted.message).toMatch(
      /^Secret .*\/creds: data\.(extra is set but must not be|password differs from the template) \(values of a Secret are not shown\)$/,
    );
    for (const value of ["s3cret-value-1", "s3cret-value-2", "s3cret-value-3"]) {
      expect(drifted.message).not.toContain(value);
      expect(drifted.message).not.toContain(Buffer.from(value).toString("base64"));
    }
    // Enforce replaces data with what stringData says: only that key, with that value.
    expect(await run(creds, true)).toMatchObject({ compliant: true, message: `Secret ${ns}/creds updated` });
    const repaired = (await get("secret", "creds")) as KubeObject & { data: Record<string, string> };
    expect(repaired.data).toEqual({ password: Buffer.from("s3cret-value-1").toString("base64") });
  });

  it("a Service whose protocol, targetPort, type and cluster IP the server fills in is Compliant with mustonlyhave spec after enforce", async () => {
    const web = template("mustonlyhave", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: ns },
      spec: {
        selector: { app: "web" },
        ports: [
          { name: "http", port: 80 },
          { name: "metrics", port: 9090, targetPort: "metrics" },
        ],
      },
    });
    expect(await run(web, true)).toMatchObject({ compliant: true, message: `Service ${ns}/web created` });
    const stored = await get("service", "web");
    expect(evaluate(web, stored).message).toMatch(/spec\.(clusterIP|type|sessionAffinity|.*) is set/);
    expect(await run(web, true)).toMatchObject({
      compliant: true,
      message: `Service ${ns}/web is as required (as the API server stores the template)`,
    });

    // A drifted port is named by its path, the port's name in brackets.
    await kubectlOk([
      "patch",
      "service",
      "web",
      "-n",
      ns,
      "--type=json",
      "-p",
      JSON.stringify([{ op: "replace", path: "/spec/ports/0/port", value: 8080 }]),
    ]);
    const drifted = await run(web, false);
    expect(drifted).toMatchObject({ compliant: false });
    expect(drifted.message).toBe(`Service ${ns}/web: spec.ports[http].port is 8080, wants 80`);
    expect(await run(web, true)).toMatchObject({ compliant: true, message: `Service ${ns}/web updated` });
  });

  it("a port written as a string is refused at once, naming the field, instead of retried as a server error", async () => {
    const verdict = await run(
      template("musthave", {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "quoted", namespace: ns },
        spec: { selector: { app: "web" }, ports: [{ port: "80" }] },
      }),
      true,
    );
    expect(verdict.compliant).toBe(false);
    expect(verdict.message).toMatch(
      /^ObjectRefused: Service .*\/quoted: the API cannot store the template as written: .*\.spec\.ports\[.*\]\.port: expected numeric/,
    );
  });

  it("a Secret the API cannot store is refused in the API's words, without its values", async () => {
    const pin = template("musthave", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "pin", namespace: ns },
      stringData: { pin: 48213579 },
    });
    // Refused by enforce's write (no object yet), then by the dry run (an object exists).
    const refusedWrite = await run(pin, true);
    await kubectlOk(["create", "secret", "generic", "pin", "-n", ns, "--from-literal=pin=48213579"]);
    const refusedDryRun = await run(pin, false);
    for (const verdict of [refusedWrite, refusedDryRun]) {
      expect(verdict.compliant).toBe(false);
      expect(verdict.message).toMatch(/^ObjectRefused: Secret .*\/pin: .*\.stringData\.pin: expected string/);
      expect(verdict.message).not.toContain("48213579");
      expect(verdict.message).not.toContain(Buffer.from("48213579").toString("base64"));
    }
  });

  it("a Deployment with defaulted fields, quantities and lists merged by name is Compliant right after enforce, for mustonlyhave and musthave", async () => {
    const spec = {
      replicas: 0,
      selector: { matchLabels: { app: "api" } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: {
          containers: [
            {
              name: "api",
              image: "registry.example/api:1",
              ports: [{ containerPort: 8080 }],
              env: [
                { name: "B", value: "2" },
                { name: "A", value: "1" },
              ],
              resources: {
                requests: { memory: "1024Mi", cpu: "1000m" },
                limits: { memory: "2048Mi", cpu: "1.5" },
              },
            },
            { name: "sidecar", image: "registry.example/sidecar:1" },
          ],
        },
      },
    };
    const deployment = (name: string) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: ns },
      spec,
    });
    for (const [complianceType, name] of [
      ["mustonlyhave", "api-exact"],
      ["musthave", "api"],
    ] as const) {
      const t = template(complianceType, deployment(name));
      expect(await run(t, true)).toMatchObject({
        compliant: true,
        message: `Deployment ${ns}/${name} created`,
      });
      expect(await run(t, true)).toMatchObject({
        compliant: true,
        message: expect.stringMatching(/is as required/),
      });
    }
    // The template as written misses the server's forms: 1Gi for 1024Mi, 1 for 1000m, defaults everywhere.
    expect(
      evaluate(template("mustonlyhave", deployment("api-exact")), await get("deployment", "api-exact"))
        .compliant,
    ).toBe(false);

    // A changed image is named by its path through the containers, by name.
    await kubectlOk(["set", "image", "deployment/api", "-n", ns, "sidecar=registry.example/sidecar:2"]);
    expect(await run(template("musthave", deployment("api")), false)).toMatchObject({
      compliant: false,
      message: `Deployment ${ns}/api: spec.template.spec.containers[sidecar].image is "registry.example/sidecar:2", wants "registry.example/sidecar:1"`,
    });
  });
});
