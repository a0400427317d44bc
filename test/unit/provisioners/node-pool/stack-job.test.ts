import { describe, expect, it } from "vitest";
import type { ResourceRef } from "../../../../src/api/object.js";
import type { JobContext } from "../../../../src/queue/job-worker.js";
import type { PulumiRunRequest } from "../../../../src/queue/pulumi-runner.js";
import type { StackJobData, StackJobProgress } from "../../../../src/queue/stack-job.js";
import { nodePoolStackJob } from "../../../../src/provisioners/node-pool/index.js";
import { JOIN_TOKEN_KEY } from "../../../../stacks/cloud/node-join.js";

// A cloud NodePool's stack job on the worker, against a hub of plain objects and a runner that records what it is
// asked to run: the pool's inputs carry the hosted API's endpoint and CA, the join token travels only with the
// credentials (secret config), and the job fails for good or waits as the spec and the cluster say.
const TOKEN = "abcdef.0123456789abcdef";
const b64 = (text: string) => Buffer.from(text).toString("base64");
const KUBECONFIG = [
  "apiVersion: v1",
  "clusters:",
  "- cluster:",
  "    certificate-authority-data: SE9TVEVEIENB",
  "    server: https://api.tenant-a.example.com:6443",
  "  name: tenant-a",
  "users:",
  "- name: admin",
  "  user:",
  "    client-key-data: c2VjcmV0LWtleQ==",
].join("\n");

function hub(overrides: Record<string, unknown> = {}) {
  const objects: Record<string, unknown> = {
    "nodepools/batch": {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "NodePool",
      metadata: { name: "batch", namespace: "team", uid: "5f0e9a1c-3b2d", generation: 3 },
      spec: {
        clusterName: "tenant-a",
        replicas: 2,
        nodeLabels: { tier: "batch" },
        platform: {
          aws: {
            region: "eu-west-1",
            credentialsRef: { name: "aws-creds" },
            subnetIDs: ["subnet-0a1b2c3d"],
            imageID: "ami-0a1b2c3d",
          },
        },
      },
    },
    "hostedclusters/tenant-a": {
      metadata: { name: "tenant-a", namespace: "team" },
      spec: { release: { version: "1.33.1" }, platform: { kubernetes: {} } },
      status: { kubeconfig: { name: "tenant-a-admin-kubeconfig" } },
    },
    "secrets/tenant-a-admin-kubeconfig": { data: { kubeconfig: b64(KUBECONFIG) } },
    "secrets/aws-creds": {
      data: { aws_access_key_id: b64("AKIAEXAMPLE"), aws_secret_access_key: b64("s3cret") },
    },
    "secrets/batch-join-token": {
      data: { "token-id": b64("abcdef"), "token-secret": b64("0123456789abcdef") },
    },
    ...overrides,
  };
  return {
    getIfExists: async (resource: ResourceRef, _namespace: string, name: string) =>
      objects[`${resource.plural}/${name}`] ?? undefined,
  };
}

function job(operation: "up" | "destroy"): JobContext<StackJobData, StackJobProgress> {
  return {
    id: `5f0e9a1c-3b2d.g3.${operation}`,
    data: {
      type: "node-pool-stack",
      kind: "NodePool",
      namespace: "team",
      name: "batch",
      uid: "5f0e9a1c-3b2d",
      generation: 3,
      operation,
    },
    attempt: 1,
    progress: () => undefined,
    signal: new AbortController().signal,
  };
}

function runner() {
  const runs: PulumiRunRequest[] = [];
  return {
    runs,
    closing: false,
    stackExists: async () => true,
    run: async (request: PulumiRunRequest) => {
      runs.push(request);
      return {
        outputs: { infraID: "batch-5f0e9", replicas: 2 },
        secretOutputNames: [],
        changes: { create: 3 },
        durationMs: 1000,
      };
    },
  };
}

const handler = (kube: ReturnType<typeof hub>, run: ReturnType<typeof runner>) =>
  nodePoolStackJob({
    config: { stateDir: "/var/lib/slipway" } as never,
    kube: kube as never,
    runner: run as never,
  });

describe("a cloud NodePool's stack job", () => {
  it("runs the aws NodePool program with the hosted API's endpoint, and the token only with the credentials", async () => {
    const run = runner();
    const result = await handler(hub(), run)(job("up"));
    expect(run.runs).toHaveLength(1);
    const request = run.runs[0]!;
    expect(request).toMatchObject({ kind: "NodePool", platform: "aws", operation: "up" });
    expect(request.inputs).toMatchObject({
      poolName: "batch",
      clusterName: "tenant-a",
      replicas: 2,
      version: "1.33.1",
      apiServer: "https://api.tenant-a.example.com:6443",
      caData: "SE9TVEVEIENB",
      nodeLabels: { tier: "batch" },
      poolUID: "5f0e9a1c-3b2d",
      joinTokenID: "abcdef", // the token's public half; its secret half only in the credentials
    });
    expect(request.credentials).toEqual({
      aws_access_key_id: "AKIAEXAMPLE",
      aws_secret_access_key: "s3cret",
      [JOIN_TOKEN_KEY]: TOKEN,
    });
    // Neither the token nor the admin kubeconfig's key reach the inputs (they show in the state) or the payload.
    for (const plain of [
      JSON.stringify(request.inputs),
      JSON.stringify(job("up").data),
      JSON.stringify(result),
    ]) {
      expect(plain).not.toContain("0123456789abcdef");
      expect(plain).not.toContain("c2VjcmV0LWtleQ");
    }
    expect(result).toMatchObject({
      operation: "up",
      generation: 3,
      infraID: "batch-5f0e9",
      groupReplicas: 2,
    });
    expect(result.inputsHash).toMatch(/^[0-9a-f]{32}$/);
  });

  it("waits (a retried error) while the HostedCluster names no admin kubeconfig yet", async () => {
    const run = runner();
    const waiting = hub({
      "hostedclusters/tenant-a": { metadata: { name: "tenant-a" }, spec: {}, status: {} },
    });
    await expect(handler(waiting, run)(job("up"))).rejects.toThrow(/serves no endpoint yet/);
    expect(run.runs).toHaveLength(0);
  });

  it("destroys the group even once its HostedCluster is gone", async () => {
    const run = runner();
    await handler(hub({ "hostedclusters/tenant-a": undefined }), run)(job("destroy"));
    expect(run.runs.map((r) => r.operation)).toEqual(["destroy"]);
  });

  it("stops for good on inputs the program refuses", async () => {
    const run = runner();
    const bad = hub({
      "secrets/tenant-a-admin-kubeconfig": {
        data: { kubeconfig: b64(KUBECONFIG.replace("https://api", "http://api")) },
      },
    });
    await expect(handler(bad, run)(job("up"))).rejects.toMatchObject({ name: "TerminalJobError" });
    expect(run.runs).toHaveLength(0);
  });
});
