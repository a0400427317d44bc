import { describe, expect, it } from "vitest";
import type { ObjectTemplate } from "../../../src/api/index.js";
import { KubeApiError } from "../../../src/errors/index.js";
import { dryRunWrite, writeObject, type ObjectTarget } from "../../../src/bootstrap/policies/object-write.js";
import { refusedByApi } from "../../../src/bootstrap/policies/spoke.js";
import type { KubeClient, KubeRequestOptions } from "../../../src/runtime/kube-client.js";
import type { KubeObject } from "../../../src/runtime/resource.js";

const secretResource = { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true };
const body = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "creds", namespace: "team", labels: { a: "1" } },
  stringData: { password: "from-template" },
} as KubeObject;
const target: ObjectTarget = { resource: secretResource, namespace: "team", name: "creds", body };
const observed = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "creds", namespace: "team", resourceVersion: "3", labels: { b: "2" } },
  type: "Opaque",
  data: { password: "b2xk", other: "eA==" },
} as KubeObject;
const t = (complianceType: ObjectTemplate["complianceType"]): ObjectTemplate => ({
  complianceType,
  objectDefinition: body as ObjectTemplate["objectDefinition"],
});

/** A spoke that records each request and answers with `answer`. */
function spoke(answer: (method: string) => unknown) {
  const sent: { method: string; path: string; options: KubeRequestOptions }[] = [];
  const client = {
    request: async (method: string, path: string, options: KubeRequestOptions = {}) => {
      sent.push({ method, path, options });
      const result = answer(method);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return { client: client as unknown as KubeClient, sent };
}
const apiError = (status: number, reason: string, message: string) =>
  new KubeApiError(status, reason, message, "PATCH", "/api/v1/namespaces/team/secrets/creds");

describe("enforce's write and its dry run", () => {
  it("musthave: a server-side apply under Slipway's field manager; the dry run is the same request with dryRun=All", async () => {
    const { client, sent } = spoke(() => observed);
    await writeObject(client, target, observed, t("musthave"));
    await dryRunWrite(client, target, observed, t("musthave"));
    expect(sent.map((s) => [s.method, s.options.contentType, s.options.query])).toEqual([
      [
        "PATCH",
        "application/apply-patch+yaml",
        { fieldManager: "slipway-bootstrap", force: true, dryRun: undefined },
      ],
      [
        "PATCH",
        "application/apply-patch+yaml",
        { fieldManager: "slipway-bootstrap", force: true, dryRun: "All" },
      ],
    ]);
  });

  it("mustonlyhave: the object replaced with the named fields; stringData replaces data, so only its keys remain", async () => {
    const { client, sent } = spoke(() => observed);
    await writeObject(client, target, observed, t("mustonlyhave"));
    await dryRunWrite(client, target, observed, t("mustonlyhave"));
    // The write is conditional on what was read (a change since is a 409, retried from a fresh read); its dry run
    // is not, so a controller's status update in between cannot make the question fail.
    expect(sent[0]).toMatchObject({ method: "PUT", options: { query: { dryRun: undefined } } });
    expect(sent[0]!.options.body).toMatchObject({ metadata: { resourceVersion: "3" } });
    expect(sent[1]).toMatchObject({ method: "PUT", options: { query: { dryRun: "All" } } });
    expect(sent[1]!.options.body).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "creds",
        namespace: "team",
        labels: { a: "1", b: "2" },
        annotations: {},
      },
      type: "Opaque",
      stringData: { password: "from-template" },
    });
  });

  it.each([
    {
      status: 415,
      reason: "UnsupportedMediaType",
      message: "the body of the request was in an unknown format",
    },
    { status: 405, reason: "MethodNotAllowed", message: "the server does not allow this method" },
    { status: 403, reason: "Forbidden", message: 'cannot patch resource "secrets"' },
    { status: 400, reason: "BadRequest", message: "the dryRun alpha feature is disabled" },
  ])("a dry run the cluster cannot do ($status) falls back to the template as written", async (e) => {
    const { client } = spoke(() => apiError(e.status, e.reason, e.message));
    expect(await dryRunWrite(client, target, observed, t("musthave"))).toEqual({
      unavailable: `${e.status} ${e.reason}: ${e.message}`,
    });
  });

  it.each([
    { status: 422, reason: "Invalid", message: 'Secret "creds" is invalid', refused: true },
    { status: 409, reason: "Conflict", message: "the object has been modified", refused: false },
    {
      status: 500,
      reason: "",
      message:
        "failed to create typed patch object (team/creds; /v1, Kind=Secret): .data.pin: expected string",
      refused: true,
    },
    { status: 500, reason: "InternalError", message: "etcdserver: request timed out", refused: false },
    { status: 429, reason: "TooManyRequests", message: "slow down", refused: false },
  ])("a $status from the dry run is the write's answer: refused, or retried", async (e) => {
    const { client } = spoke(() => apiError(e.status, e.reason, e.message));
    const error = await dryRunWrite(client, target, observed, t("musthave")).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(KubeApiError);
    expect(refusedByApi(error) !== undefined).toBe(e.refused);
  });

  it("takes a Secret's values out of the API's words, as written and in base64", async () => {
    const quoted = "got from-template and b2xk (old) and ZnJvbS10ZW1wbGF0ZQ==";
    const { client } = spoke(() => apiError(422, "Invalid", quoted));
    const error = (await writeObject(client, target, observed, t("musthave")).catch(
      (e: unknown) => e,
    )) as KubeApiError;
    expect(error.serverMessage).toBe("got [redacted] and [redacted] (old) and [redacted]");
    expect(error.message).not.toMatch(/from-template|b2xk|ZnJvbS10ZW1wbGF0ZQ/);
  });
});
