/**
 * BootstrapPolicies end to end: the real hub, Redis, `slipway controller` and `slipway worker`, one local
 * cluster (a real kube-apiserver the evaluations talk to) and simulated clusters beside it.
 */
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { BootstrapPolicy, ClusterClaim, ClusterDeployment } from "../../src/api/index.js";
import {
  bootstrapPolicyResource,
  clusterClaimResource,
  clusterDeploymentResource,
  secretResource,
} from "../../src/api/resources.js";
import { kubectl as kubectlAt } from "../../src/local/kubectl.js";
import { SPOKE_QUEUE } from "../../src/queue/job.js";
import { JobQueue } from "../../src/queue/job-queue.js";
import { getCondition, type Condition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { repoRoot, toolsBinDir } from "../../src/runtime/paths.js";
import type { KubeObject } from "../../src/runtime/resource.js";
import { clusterClaim } from "../builders/cluster-claim.js";
import { clusterPool } from "../builders/cluster-pool.js";
import { localClusterManifest } from "../builders/cluster-deployment.js";
import { deleteClustersThenStop, slipwayUnderTest, type SlipwayUnderTest } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { hubKubeConfig, kubectl, kubectlOk, testRedisUrl } from "../harness/hub.js";

const condition = (o: { status?: { conditions?: unknown } } | undefined, type: string) =>
  getCondition(o?.status?.conditions as Condition[] | undefined, type);

/** A simulated cluster; not in the default cluster set unless asked, so the example policy leaves it alone. */
function simulated(
  name: string,
  labels: Record<string, string>,
  bootstrapSeconds = 0.2,
  clusterSet = "other",
) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name },
    spec: {
      clusterName: name,
      registration: { clusterSet, labels },
      platform: {
        simulated: {
          provisionSeconds: 0,
          hibernateSeconds: 0,
          resumeSeconds: 0,
          destroySeconds: 0,
          bootstrapSeconds,
          jitterPercent: 0,
        },
      },
    },
  };
}

/** Simulated clusters whose policy evaluations take 6 s: a policy can be deleted while they run. */
const SLOW_CLUSTERS = ["slow-1", "slow-2", "slow-3"];

function policy(name: string, spec: Record<string, unknown>) {
  return { apiVersion: "slipway.dev/v1alpha1", kind: "BootstrapPolicy", metadata: { name }, spec };
}

describe("BootstrapPolicy on a local cluster and simulated ones", () => {
  let sut: SlipwayUnderTest;
  let kube: KubeClient;
  let ns: string;
  let spoke: (args: string[]) => ReturnType<typeof kubectlAt>;
  let spokeQueue: JobQueue;

  const apply = (manifest: object) =>
    kubectlOk(["apply", "-n", ns, "-f", "-"], { input: JSON.stringify(manifest) });
  const getCd = (name: string) => kube.get<ClusterDeployment>(clusterDeploymentResource, ns, name);
  const getPolicy = (name: string) => kube.get<BootstrapPolicy>(bootstrapPolicyResource, ns, name);
  const entry = (p: BootstrapPolicy, cluster: string) => p.status?.clusters?.find((c) => c.name === cluster);
  const running = (name: string, timeoutMs = 120_000) =>
    eventually(
      `${name} running`,
      async () => {
        const cd = await getCd(name);
        return cd.status?.powerState === "Running" && cd.status.provisionedAt ? cd : undefined;
      },
      timeoutMs,
    );
  /** Waits until the policy's latest generation is evaluated on every listed cluster; returns the policy. */
  const evaluatedOn = (name: string, clusters: string[], timeoutMs = 60_000) =>
    eventually(
      `${name} evaluated on ${clusters.join(", ")}`,
      async () => {
        const p = await getPolicy(name);
        const done = clusters.every((c) => entry(p, c)?.generation === p.metadata.generation);
        return done ? p : undefined;
      },
      timeoutMs,
    );

  /**
   * A policy gate that every evaluation finds NonCompliant, a pool gated of one simulated cluster it selects, and
   * a claim wants-one on that pool: the last case's setup.
   */
  const startGatedPool = async () => {
    await apply(
      policy("gate", {
        clusterSelector: { matchLabels: { "slipway.dev/cluster-pool": "gated" } },
        objectTemplates: [
          { objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } } },
        ],
      }),
    );
    await kubectlOk(["apply", "-f", "-"], {
      input: JSON.stringify(
        clusterPool("gated", ns, {
          size: 1,
          runningCount: 1,
          template: {
            registration: { clusterSet: "gated" },
            platform: {
              simulated: {
                provisionSeconds: 0,
                jitterPercent: 0,
                bootstrapSeconds: 0.1,
                // Every evaluation finds the cluster NonCompliant until the gate policy goes.
                failures: [
                  { phase: "Bootstrap", mode: "Terminal", attempts: 0, message: "baseline not met" },
                ],
              },
            },
          },
        }),
      ),
    });
    await kubectlOk(["apply", "-f", "-"], { input: JSON.stringify(clusterClaim("wants-one", ns, "gated")) });
  };

  beforeAll(async () => {
    sut = await slipwayUnderTest("bootstrap", {
      SLIPWAY_LEADER_ELECTION: "false",
      SLIPWAY_JOB_BACKOFF_MS: "500",
      // The administrator's addition to the protected set, for controller and worker alike.
      SLIPWAY_PROTECTED_OBJECTS: "Namespace/e2e-protected",
    });
    sut.controller();
    sut.worker();
    kube = new KubeClient(hubKubeConfig());
    ns = sut.namespace;
    spokeQueue = new JobQueue({
      name: SPOKE_QUEUE,
      redisUrl: testRedisUrl(),
      prefix: sut.env.SLIPWAY_QUEUE_PREFIX!,
      attempts: 1,
      backoffMs: 1000,
    });
    const alpha = localClusterManifest("alpha");
    // kube-controller-manager finalizes deleted namespaces on the spoke.
    await apply({
      ...alpha,
      spec: {
        ...alpha.spec,
        platform: { local: { controllerManager: true } },
        registration: { labels: { env: "dev" } },
      },
    });
    await apply(simulated("sim-1", { env: "dev" }, 0.2, "default"));
    // What the last two cases need is set up here, so it installs while alpha does (alpha's install is most of
    // the file's time); nothing here is in the default cluster set or selected by the other cases' policies.
    for (const name of SLOW_CLUSTERS) await apply(simulated(name, { speed: "slow" }, 6));
    await startGatedPool();
  }, 300_000);

  afterAll(async () => {
    await kubectl([
      "delete",
      "clusterpools,clusterclaims,bootstrappolicies",
      "--all",
      "-n",
      ns,
      "--wait=false",
    ]);
    await spokeQueue?.close();
    kube?.close();
    await deleteClustersThenStop(sut, ns);
  }, 300_000);

  it("the example policies make both clusters Compliant and Bootstrapped; drift is repaired within the interval", async () => {
    const ready = await running("alpha", 180_000);
    await running("sim-1");
    const secret = await kube.get<KubeObject & { data?: Record<string, string> }>(
      secretResource,
      ns,
      ready.status!.adminKubeconfigSecretRef!.name,
    );
    const kubeconfigFile = join(sut.stateDir, "alpha.kubeconfig");
    await writeFile(kubeconfigFile, Buffer.from(secret.data!.kubeconfig!, "base64"));
    spoke = (args) => kubectlAt(toolsBinDir, kubeconfigFile, ["--request-timeout=10s", ...args]);
    // mustnothave: a namespace the policy deletes.
    expect((await spoke(["create", "namespace", "legacy-tools"])).code).toBe(0);
    const example = parse(readFileSync(join(repoRoot, "examples", "bootstrap-policy.yaml"), "utf8")) as {
      spec: Record<string, unknown>;
    };
    await apply({ ...example, spec: { ...example.spec, evaluationInterval: "10s" } });

    const compliant = await eventually(
      "baseline Compliant",
      async () => {
        const p = await getPolicy("baseline");
        return p.status?.compliant === "Compliant" && p.status.clusters?.length === 2 ? p : undefined;
      },
      60_000,
    );
    expect(entry(compliant, "alpha")).toMatchObject({ compliant: "Compliant", generation: 1 });
    expect(entry(compliant, "sim-1")?.message).toMatch(/as required/);
    expect(condition(compliant, "Ready")).toMatchObject({ status: "True", reason: "Evaluated" });
    const cd = await eventually(
      "alpha Bootstrapped",
      async () => {
        const c = await getCd("alpha");
        return condition(c, "Bootstrapped")?.status === "True" &&
          condition(c, "Bootstrapped")?.reason === "PoliciesCompliant"
          ? c
          : undefined;
      },
      30_000,
    );
    expect(cd.status?.bootstrap).toMatchObject({ policies: 1, compliantPolicies: 1 });
    // Written under its own field manager, and observedGeneration stays the ClusterDeployment controller's.
    const managers = (cd.metadata.managedFields as { manager: string; fieldsV1?: { "f:status"?: object } }[])
      .filter((m) => m.fieldsV1?.["f:status"] && m.manager === "slipway-cluster-bootstrap")
      .map((m) => Object.keys(m.fieldsV1!["f:status"]!));
    expect(managers.flat().sort()).toEqual(["f:bootstrap", "f:conditions"]);

    expect(
      await spoke(["get", "networkpolicy", "-n", "platform-baseline", "default-deny-ingress", "-o", "name"]),
    ).toMatchObject({ code: 0 });
    expect(
      (
        await spoke([
          "get",
          "configmap",
          "-n",
          "platform-baseline",
          "cluster-baseline",
          "-o",
          "jsonpath={.data.owner}",
        ])
      ).stdout,
    ).toBe("platform-team");
    await eventually(
      "legacy-tools gone",
      async () => (await spoke(["get", "namespace", "legacy-tools"])).code !== 0 || undefined,
      60_000,
    );

    // Drift: someone deletes the namespace (and so the ConfigMap); the next evaluation puts them back.
    expect(
      (await spoke(["delete", "namespace", "platform-baseline", "--wait=true", "--timeout=60s"])).code,
    ).toBe(0);
    const gone = Date.now();
    await eventually(
      "baseline repaired",
      async () =>
        (await spoke(["get", "configmap", "-n", "platform-baseline", "cluster-baseline", "-o", "name"]))
          .code === 0 || undefined,
      45_000,
    );
    const repairedIn = Date.now() - gone;
    console.log(
      `drift repaired ${(repairedIn / 1000).toFixed(1)} s after the namespace was gone (interval 10 s)`,
    );
    expect(repairedIn).toBeLessThan(10_000 + 15_000);
    await kubectlOk(["delete", "bootstrappolicy", "-n", ns, "baseline"]);
  }, 420_000);

  it("an inform policy reports NonCompliant, touches nothing, and makes the cluster not Bootstrapped", async () => {
    await apply(
      policy("inform-only", {
        clusterSelector: { matchLabels: { name: "alpha" } },
        remediationAction: "inform",
        objectTemplates: [
          {
            complianceType: "musthave",
            objectDefinition: {
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: { name: "must-exist", namespace: "default" },
              data: { a: "b" },
            },
          },
        ],
      }),
    );
    const p = await evaluatedOn("inform-only", ["alpha"]);
    expect(p.status?.compliant).toBe("NonCompliant");
    expect(entry(p, "alpha")?.message).toContain("ConfigMap default/must-exist is missing");
    expect((await spoke(["get", "configmap", "-n", "default", "must-exist"])).code).not.toBe(0);
    const cd = await eventually(
      "alpha not Bootstrapped",
      async () => {
        const c = await getCd("alpha");
        return condition(c, "Bootstrapped")?.reason === "PoliciesNonCompliant" ? c : undefined;
      },
      30_000,
    );
    expect(condition(cd, "Bootstrapped")?.status).toBe("False");
    expect(condition(cd, "Bootstrapped")?.message).toContain("inform-only");

    await kubectlOk(["delete", "bootstrappolicy", "-n", ns, "inform-only"]);
    await eventually(
      "alpha Bootstrapped again",
      // No other policy selects alpha now (the example was deleted): True, NoPoliciesSelect.
      async () => condition(await getCd("alpha"), "Bootstrapped")?.status === "True" || undefined,
      30_000,
    );
  }, 120_000);

  it("an object the spoke refuses, and a kind it does not know, make that cluster NonCompliant; the rest carries on", async () => {
    await apply(
      policy("refused", {
        clusterSelector: { matchLabels: { env: "dev" } },
        remediationAction: "enforce",
        objectTemplates: [
          {
            objectDefinition: {
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: { name: "bad-keys", namespace: "default" },
              data: { "not a key!": "x" },
            },
          },
          {
            objectDefinition: {
              apiVersion: "widgets.example.com/v1",
              kind: "Widget",
              metadata: { name: "w" },
            },
          },
          {
            objectDefinition: {
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: { name: "carries-on", namespace: "default" },
              data: { ok: "yes" },
            },
          },
        ],
      }),
    );
    const p = await evaluatedOn("refused", ["alpha", "sim-1"]);
    const alpha = entry(p, "alpha")!;
    expect(alpha.compliant).toBe("NonCompliant");
    expect(alpha.message).toMatch(
      /ObjectRefused: ConfigMap default\/bad-keys: 422 Invalid: .*valid config key/,
    );
    expect(alpha.message).toMatch(
      /UnknownKind: Widget w: the cluster's API serves no kind Widget in widgets.example.com\/v1/,
    );
    expect(entry(p, "sim-1")?.compliant).toBe("Compliant");
    expect(
      (await spoke(["get", "configmap", "-n", "default", "carries-on", "-o", "jsonpath={.data.ok}"])).stdout,
    ).toBe("yes");
    await kubectlOk(["delete", "bootstrappolicy", "-n", ns, "refused"]);
  }, 120_000);

  it("an enforced policy of objects the API server normalises (stringData, defaults, quantities) is Compliant right after its enforce and stays so", async () => {
    const password = "e2e-normalised-value";
    await apply(
      policy("normalised", {
        clusterSelector: { matchLabels: { name: "alpha" } },
        remediationAction: "enforce",
        evaluationInterval: "10s",
        objectTemplates: [
          {
            complianceType: "mustonlyhave",
            objectDefinition: {
              apiVersion: "v1",
              kind: "Secret",
              metadata: { name: "app-creds", namespace: "default" },
              stringData: { password },
            },
          },
          {
            complianceType: "mustonlyhave",
            objectDefinition: {
              apiVersion: "v1",
              kind: "Service",
              metadata: { name: "app", namespace: "default" },
              spec: { selector: { app: "app" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
            },
          },
          {
            complianceType: "mustonlyhave",
            objectDefinition: {
              apiVersion: "apps/v1",
              kind: "Deployment",
              metadata: { name: "app", namespace: "default" },
              spec: {
                replicas: 0,
                selector: { matchLabels: { app: "app" } },
                template: {
                  metadata: { labels: { app: "app" } },
                  spec: {
                    containers: [
                      {
                        name: "app",
                        image: "registry.example/app:1",
                        ports: [{ name: "http", containerPort: 8080 }],
                        resources: { requests: { memory: "1024Mi", cpu: "1000m" } },
                      },
                    ],
                  },
                },
              },
            },
          },
        ],
      }),
    );
    const first = await evaluatedOn("normalised", ["alpha"]);
    expect(entry(first, "alpha")).toMatchObject({
      compliant: "Compliant",
      message: "3 objects as required (3 changed by enforce)",
    });
    // The next round finds them as required and writes nothing. A new generation (its severity; the templates
    // stay) has it evaluated at once rather than after the interval.
    await kubectlOk([
      "patch",
      "bootstrappolicy",
      "-n",
      ns,
      "normalised",
      "--type=merge",
      "-p",
      '{"spec":{"severity":"high"}}',
    ]);
    const next = entry(await evaluatedOn("normalised", ["alpha"]), "alpha");
    expect(next).toMatchObject({ compliant: "Compliant", message: "3 objects as required" });
    expect(
      (await spoke(["get", "secret", "-n", "default", "app-creds", "-o", "jsonpath={.data.password}"]))
        .stdout,
    ).toBe(Buffer.from(password).toString("base64"));
    await eventually(
      "alpha Bootstrapped by the normalised policy",
      async () =>
        condition(await getCd("alpha"), "Bootstrapped")?.reason === "PoliciesCompliant" || undefined,
      30_000,
    );
    await kubectlOk(["delete", "bootstrappolicy", "-n", ns, "normalised"]);
  }, 120_000);

  it("a protected object stays on the cluster: an admin-protected one under enforce mustnothave (Stalled), a rewrite of kube-system (NonCompliant)", async () => {
    expect((await spoke(["create", "namespace", "e2e-protected"])).code).toBe(0);
    expect((await spoke(["label", "namespace", "kube-system", "owner=platform", "--overwrite"])).code).toBe(
      0,
    );
    // Admission cannot see the administrator's additions: the controller refuses the whole policy.
    await apply(
      policy("destroys", {
        clusterSelector: { matchLabels: { name: "alpha" } },
        remediationAction: "enforce",
        objectTemplates: [
          {
            complianceType: "mustnothave",
            objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "e2e-protected" } },
          },
        ],
      }),
    );
    // musthave may add to kube-system, never change what it has.
    await apply(
      policy("rewrites", {
        clusterSelector: { matchLabels: { name: "alpha" } },
        remediationAction: "enforce",
        objectTemplates: [
          {
            objectDefinition: {
              apiVersion: "v1",
              kind: "Namespace",
              metadata: { name: "kube-system", labels: { "e2e-added": "yes" } },
            },
          },
          {
            objectDefinition: {
              apiVersion: "v1",
              kind: "Namespace",
              metadata: { name: "kube-system", labels: { owner: "someone-else" } },
            },
          },
        ],
      }),
    );
    const stalled = await eventually(
      "destroys Stalled ProtectedObject",
      async () => {
        const p = await getPolicy("destroys");
        return condition(p, "Stalled")?.reason === "ProtectedObject" ? p : undefined;
      },
      30_000,
    );
    expect(condition(stalled, "Stalled")?.message).toContain(
      "would delete Namespace e2e-protected, which is protected: the administrator protects it",
    );
    const rewrites = await evaluatedOn("rewrites", ["alpha"]);
    expect(entry(rewrites, "alpha")?.compliant).toBe("NonCompliant");
    expect(entry(rewrites, "alpha")?.message).toMatch(
      /ProtectedObjectUnchanged: Namespace kube-system is protected \(.*\): enforce only adds to a protected object, and this template would change metadata.labels.owner/,
    );
    const labels = JSON.parse(
      (await spoke(["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.labels}"])).stdout,
    ) as Record<string, string>;
    expect(labels).toMatchObject({ owner: "platform", "e2e-added": "yes" });
    // Nothing was queued for the stalled policy: its namespace is still there.
    expect(entry(await getPolicy("destroys"), "alpha")).toBeUndefined();
    expect((await spoke(["get", "namespace", "e2e-protected", "-o", "name"])).code).toBe(0);
    await kubectlOk(["delete", "bootstrappolicy", "-n", ns, "destroys", "rewrites"]);
  }, 120_000);

  it("a selector that matches nothing says so and is Ready", async () => {
    await apply(
      policy("nowhere", {
        clusterSelector: { matchLabels: { env: "nowhere" } },
        objectTemplates: [
          { objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } } },
        ],
      }),
    );
    const p = await eventually(
      "nowhere Ready",
      async () => {
        const got = await getPolicy("nowhere");
        return condition(got, "Ready")?.status === "True" ? got : undefined;
      },
      30_000,
    );
    expect(condition(p, "Ready")).toMatchObject({ reason: "NoClustersSelected" });
    expect(condition(p, "Ready")?.message).toContain("matches no ClusterDeployment");
    expect(p.status?.clusters ?? []).toEqual([]);
    expect(p.status?.compliant).toBeUndefined();
    await kubectlOk(["delete", "bootstrappolicy", "-n", ns, "nowhere"]);
  }, 60_000);

  it("a policy deleted while its evaluations run leaves nothing stuck", async () => {
    // Applied in beforeAll.
    for (const name of SLOW_CLUSTERS) await running(name);
    await apply(
      policy("slow", {
        clusterSelector: { matchLabels: { speed: "slow" } },
        objectTemplates: [
          { objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } } },
        ],
      }),
    );
    await eventually(
      "evaluations running",
      async () => ((await spokeQueue.counts()).active ?? 0) > 0 || undefined,
      30_000,
    );
    await kubectlOk(["delete", "bootstrappolicy", "-n", ns, "slow"]);
    for (const name of SLOW_CLUSTERS) {
      await eventually(
        `${name} Bootstrapped without the deleted policy`,
        async () => condition(await getCd(name), "Bootstrapped")?.reason === "NoPoliciesSelect" || undefined,
        30_000,
      );
    }
    await eventually(
      "spoke queue drained",
      async () => {
        const c = await spokeQueue.counts();
        return (c.active ?? 0) + (c.waiting ?? 0) + (c.delayed ?? 0) === 0 || undefined;
      },
      30_000,
    );
  }, 180_000);

  it("a pool claim gets a cluster only once it is Bootstrapped", async () => {
    // The gate policy, the pool gated and the claim wants-one were made in beforeAll (startGatedPool).
    // The claimed cluster, not any of the pool's: once the claim binds one, the pool makes another (size 1), and
    // that one is NonCompliant too.
    const cluster = await eventually(
      "the claimed pool cluster NonCompliant",
      async () => {
        const claim = await kube.get<ClusterClaim>(clusterClaimResource, ns, "wants-one");
        const name = claim.status?.clusterDeploymentRef?.name;
        if (!name) return undefined;
        const cd = await getCd(name);
        return condition(cd, "Bootstrapped")?.reason === "PoliciesNonCompliant" ? cd : undefined;
      },
      90_000,
    );
    expect(cluster.status?.powerState).toBe("Running");
    // Running but not Bootstrapped: the claim's pass that saw the cluster NonCompliant binds it, but hands over
    // no kubeconfig and is not Ready.
    const notCompliant = condition(cluster, "Bootstrapped")!.message;
    const waiting = await eventually(
      "the claim's pass that saw the cluster NonCompliant",
      async () => {
        const claim = await kube.get<ClusterClaim>(clusterClaimResource, ns, "wants-one");
        const kubeconfig = condition(claim, "KubeconfigAvailable");
        return kubeconfig?.reason === "WaitingForBootstrap" && kubeconfig.message.endsWith(notCompliant)
          ? claim
          : undefined;
      },
      30_000,
    );
    expect(waiting.status?.clusterDeploymentRef?.name).toBe(cluster.metadata.name);
    expect(condition(waiting, "KubeconfigAvailable")?.status).toBe("False");
    expect(waiting.status?.kubeconfigSecretRef).toBeUndefined();
    expect(condition(waiting, "Ready")?.status).not.toBe("True");

    await kubectlOk(["delete", "bootstrappolicy", "-n", ns, "gate"]);
    const ready = await eventually(
      "claim Ready",
      async () => {
        const claim = await kube.get<ClusterClaim>(clusterClaimResource, ns, "wants-one");
        return condition(claim, "Ready")?.status === "True" ? claim : undefined;
      },
      60_000,
    );
    expect(ready.status?.kubeconfigSecretRef?.name).toBeTruthy();
    const assigned = await getCd(ready.status!.clusterDeploymentRef!.name);
    expect(condition(assigned, "Bootstrapped")).toMatchObject({ status: "True", reason: "NoPoliciesSelect" });
  }, 240_000);
});
