import { existsSync, readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../src/api/index.js";
import { kubectl as kubectlAt } from "../../src/local/kubectl.js";
import { clusterDeploymentResource, secretResource } from "../../src/api/resources.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { toolsBinDir } from "../../src/runtime/paths.js";
import {
  deleteClustersThenStop,
  type ComponentProcess,
  processesNaming,
  slipwayUnderTest,
  type SlipwayUnderTest,
} from "../harness/components.js";
import { localClusterManifest, simulatedClusterManifest } from "../builders/cluster-deployment.js";
import { eventually } from "../harness/eventually.js";
import { hubKubeConfig, kubectlOk, testRedisUrl } from "../harness/hub.js";

describe("ClusterDeployment on the local platform, end to end", () => {
  let sut: SlipwayUnderTest;
  let controller: ComponentProcess;
  let worker: ComponentProcess;
  let kube: KubeClient;
  let ns: string;

  beforeAll(async () => {
    sut = await slipwayUnderTest("e2e-local", { SLIPWAY_LEADER_ELECTION: "false" });
    controller = sut.controller();
    worker = sut.worker();
    kube = new KubeClient(hubKubeConfig());
    ns = sut.namespace;
  });

  afterAll(async () => {
    await deleteClustersThenStop(sut, ns);
  });

  const get = (name: string) => kube.get<ClusterDeployment>(clusterDeploymentResource, ns, name);

  // One local cluster, alpha: made on a version this machine cannot run and fixed by the first case, then taken
  // through its lifecycle by the last. The simulated clusters' cases run beside the first (each has its own
  // cluster).

  it.concurrent(
    "stalls on a local version this machine cannot run, says what to set, and provisions once the spec is fixed",
    async () => {
      const manifest = localClusterManifest("alpha");
      (manifest.spec.platform.local as Record<string, unknown>).version = "1.35";
      await kubectlOk(["apply", "-n", ns, "-f", "-"], { input: JSON.stringify(manifest) });
      const stalled = await eventually(
        "Stalled with UnsupportedVersion",
        async () => {
          const c = getCondition((await get("alpha")).status?.conditions as never, "Stalled");
          return c?.status === "True" ? c : undefined;
        },
        30_000,
      );
      expect(stalled.reason).toBe("UnsupportedVersion");
      expect(stalled.message).toContain("set spec.platform.local.version to 1.36");
      expect((await get("alpha")).status?.stack).toBeUndefined(); // no job for a spec that cannot run

      await kube.patch(
        clusterDeploymentResource,
        ns,
        "alpha",
        { spec: { platform: { local: { version: "1.36" } } } },
        { type: "merge" },
      );
      const ready = await eventually(
        "Ready once the version is one this machine runs",
        async () => {
          const c = await get("alpha");
          return getCondition(c.status?.conditions as never, "Ready")?.status === "True" ? c : undefined;
        },
        120_000,
      );
      expect(getCondition(ready.status?.conditions as never, "Stalled")).toBeUndefined();
    },
  );

  it.concurrent("stalls on a missing credentials Secret and recovers by itself once it exists", async () => {
    const cd = {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterDeployment",
      metadata: { name: "needs-creds" },
      spec: {
        clusterName: "needs-creds",
        registration: { enabled: false },
        platform: { simulated: { provisionSeconds: 0, credentialsRef: { name: "sim-creds" } } },
      },
    };
    await kubectlOk(["apply", "-n", ns, "-f", "-"], { input: JSON.stringify(cd) });
    const stalled = await eventually(
      "Stalled with CredentialsSecretMissing",
      async () => {
        const c = getCondition((await get("needs-creds")).status?.conditions as never, "Stalled");
        return c?.status === "True" ? c : undefined;
      },
      30_000,
    );
    expect(stalled.reason).toBe("CredentialsSecretMissing");
    expect(stalled.message).toContain("sim-creds");
    await kubectlOk([
      "create",
      "secret",
      "generic",
      "sim-creds",
      "-n",
      ns,
      "--from-literal=token=not-a-real-token",
    ]);
    const readyCd = await eventually(
      "Ready after the Secret appeared",
      async () => {
        const c = await get("needs-creds");
        return getCondition(c.status?.conditions as never, "Ready")?.status === "True" ? c : undefined;
      },
      60_000,
    );
    expect(getCondition(readyCd.status?.conditions as never, "Stalled")).toBeUndefined();
    expect(JSON.stringify(readyCd.status)).not.toContain("not-a-real-token");

    // The run received the Secret's keys as Pulumi secret config (its plain output names them, never the value).
    const stackName = `${ns}-needs-creds-${readyCd.metadata!.uid!.slice(0, 8)}`;
    const state = readFileSync(
      join(sut.stateDir, "pulumi", ".pulumi", "stacks", "slipway", `${stackName}.json`),
      "utf8",
    );
    expect(state).toContain("present: keys token");
    const settings = readFileSync(
      join(sut.stateDir, "pulumi", "workspaces", stackName, `Pulumi.${stackName}.yaml`),
      "utf8",
    );
    expect(settings).toContain("secure: v1:");
    // The value is nowhere in clear: not in the state, the stack settings, Redis (job payloads, results,
    // events) or the logs.
    const redis = new Redis(testRedisUrl());
    try {
      const inRedis = await redisDump(redis, `${sut.env.SLIPWAY_QUEUE_PREFIX}:*`);
      expect(inRedis).toContain(readyCd.metadata!.uid!); // the job is there, by reference
      for (const place of [state, settings, inRedis, worker.log(), controller.log()]) {
        expect(place).not.toContain("not-a-real-token");
      }
    } finally {
      redis.disconnect();
    }
  });
  it.concurrent(
    "a new generation that leaves the stack inputs alone (a claim, a registration label) runs no job",
    async () => {
      await kubectlOk(["apply", "-n", ns, "-f", "-"], {
        input: JSON.stringify(simulatedClusterManifest("steady", { provisionSeconds: 0 })),
      });
      const isReady = (c: ClusterDeployment) =>
        getCondition(c.status?.conditions as never, "Ready")?.status === "True";
      const first = await eventually(
        "steady Ready",
        async () => {
          const c = await get("steady");
          return isReady(c) ? c : undefined;
        },
        120_000,
      );
      const uid = first.metadata!.uid!;
      expect(first.status?.stack).toMatchObject({ jobId: `${uid}.g1.up`, result: "Succeeded" });
      expect(first.status?.stack?.inputsHash).toMatch(/^[0-9a-f]{32}$/);

      // Like a pool's assignment of a claim: generation 2, and nothing the stack program reads.
      await kube.patch(
        clusterDeploymentResource,
        ns,
        "steady",
        { spec: { registration: { labels: { team: "blue" } } } },
        { type: "merge" },
      );
      const observed = await eventually(
        "generation 2 observed",
        async () => {
          const c = await get("steady");
          return c.status?.observedGeneration === 2 ? c : undefined;
        },
        120_000,
      );
      expect(observed.metadata?.generation).toBe(2);
      expect(isReady(observed)).toBe(true);
      expect(observed.status?.stack?.jobId).toBe(`${uid}.g1.up`);

      // A change the stack does see still runs one.
      await kube.patch(
        clusterDeploymentResource,
        ns,
        "steady",
        { spec: { powerState: "Hibernating" } },
        { type: "merge" },
      );
      const hibernated = await eventually(
        "steady Hibernating",
        async () => {
          const c = await get("steady");
          return c.status?.powerState === "Hibernating" && isReady(c) ? c : undefined;
        },
        120_000,
      );
      expect(hibernated.status?.stack).toMatchObject({ jobId: `${uid}.g3.up`, result: "Succeeded" });
      expect(hibernated.status?.stack?.inputsHash).not.toBe(first.status?.stack?.inputsHash);
    },
  );
  it.concurrent("leaves the cluster and its stack in place when preserveOnDelete is set", async () => {
    const manifest = simulatedClusterManifest("keep-me", { provisionSeconds: 0 });
    (manifest.spec as Record<string, unknown>).preserveOnDelete = true;
    await kubectlOk(["apply", "-n", ns, "-f", "-"], { input: JSON.stringify(manifest) });
    const ready = await eventually(
      "keep-me Ready",
      async () => {
        const c = await get("keep-me");
        return getCondition(c.status?.conditions as never, "Ready")?.status === "True" ? c : undefined;
      },
      120_000,
    );
    await kubectlOk(["delete", "-n", ns, "cd/keep-me", "--timeout=60s"]);
    const stacksDir = join(sut.stateDir, "pulumi", ".pulumi", "stacks");
    const stackFiles = readdirSync(stacksDir, { recursive: true })
      .map(String)
      .filter((f) => f.includes(`keep-me-${ready.metadata!.uid!.slice(0, 8)}`) && f.endsWith(".json"));
    expect(stackFiles.length).toBeGreaterThan(0);
  });

  it("the recovered cluster serves kubectl, hibernates, resumes with data kept, and deletes without leftovers", async () => {
    // alpha was created by the first case (on a version this machine cannot run, then fixed).
    const ready = await eventually(
      "alpha Ready",
      async () => {
        const cd = await get("alpha");
        return getCondition(cd.status?.conditions as never, "Ready")?.status === "True" ? cd : undefined;
      },
      120_000,
    );
    expect(ready.status?.powerState).toBe("Running");
    expect(ready.status?.apiURL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // kubectl wait works on the Ready condition, as users script it.
    await kubectlOk(["wait", "-n", ns, "--for=condition=Ready", "cd/alpha", "--timeout=10s"]);

    const secretName = ready.status?.adminKubeconfigSecretRef?.name;
    expect(secretName).toBe("alpha-admin-kubeconfig");
    const secret = await kube.get<{ metadata?: object; data?: Record<string, string> }>(
      secretResource,
      ns,
      secretName!,
    );
    const kubeconfigFile = join(sut.stateDir, "alpha.kubeconfig");
    await writeFile(kubeconfigFile, Buffer.from(secret.data!.kubeconfig!, "base64"));
    const spoke = (args: string[]) =>
      kubectlAt(toolsBinDir, kubeconfigFile, ["--request-timeout=5s", ...args]);
    expect((await spoke(["create", "configmap", "survives-hibernation", "--from-literal=k=v"])).code).toBe(0);

    const dataDir = join(sut.stateDir, "clusters", `${ns}-alpha-${ready.metadata!.uid!.slice(0, 8)}`);
    expect(processesNaming(dataDir).length).toBeGreaterThanOrEqual(2);

    await kube.patch(
      clusterDeploymentResource,
      ns,
      "alpha",
      { spec: { powerState: "Hibernating" } },
      { type: "merge" },
    );
    await eventually(
      "alpha Hibernating",
      async () => {
        const cd = await get("alpha");
        return (
          cd.status?.powerState === "Hibernating" &&
          getCondition(cd.status?.conditions as never, "Ready")?.status === "True"
        );
      },
      120_000,
    );
    expect(processesNaming(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, "etcd"))).toBe(true);
    expect((await spoke(["get", "ns"])).code).not.toBe(0);

    await kube.patch(
      clusterDeploymentResource,
      ns,
      "alpha",
      { spec: { powerState: "Running" } },
      { type: "merge" },
    );
    const resumed = await eventually(
      "alpha Running again",
      async () => {
        const cd = await get("alpha");
        return cd.status?.powerState === "Running" &&
          getCondition(cd.status?.conditions as never, "Ready")?.status === "True"
          ? cd
          : undefined;
      },
      120_000,
    );
    expect(resumed.status?.lastResumedAt).toBeDefined();
    expect(resumed.status?.lastHibernatedAt).toBeDefined();
    const cm = await spoke(["get", "configmap", "survives-hibernation", "-o", "jsonpath={.data.k}"]);
    expect(cm.stdout).toBe("v");

    await kubectlOk(["delete", "-n", ns, "cd/alpha", "--timeout=90s"]);
    expect(processesNaming(dataDir)).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
    const stacksDir = join(sut.stateDir, "pulumi", ".pulumi", "stacks");
    // The stack lived in the worker's default file backend (the folder outlives it); nothing of it is left.
    expect(existsSync(stacksDir)).toBe(true);
    const leftovers = readdirSync(stacksDir, { recursive: true })
      .map(String)
      .filter((f) => f.includes("alpha"));
    expect(leftovers).toEqual([]);
    await eventually(
      "kubeconfig Secret gone",
      async () => !(await kube.getIfExists(secretResource, ns, secretName!)),
      30_000,
    );
  });
});

/** Every value under the keys matching pattern, as text, whatever the Redis type. */
async function redisDump(redis: Redis, pattern: string): Promise<string> {
  const parts: string[] = [];
  for (const key of await redis.keys(pattern)) {
    const type = await redis.type(key);
    if (type === "string") parts.push((await redis.get(key)) ?? "");
    if (type === "hash") parts.push(JSON.stringify(await redis.hgetall(key)));
    if (type === "list") parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    if (type === "zset") parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
    if (type === "set") parts.push(JSON.stringify(await redis.smembers(key)));
    if (type === "stream") parts.push(JSON.stringify(await redis.xrange(key, "-", "+")));
  }
  return parts.join("\n");
}
