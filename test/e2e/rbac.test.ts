/**
 * The chart's RBAC is enough and no more: its ServiceAccounts, Roles and bindings applied to the test hub, the real
 * `slipway controller` and `slipway worker` run with those ServiceAccounts' tokens (TokenRequest), through a proxy
 * that records every request they make. The ClusterDeployment (with registration), pool, claim, policy and
 * deletion flows pass on the simulated platform; every request is allowed; every rule is used by some request or
 * named below with why this file does not reach it. With one verb taken out of a role, the process says which.
 *
 * Slow: 92 s at load 30 on the 2-core machine, 157-201 s at load 45-70 (two processes started with their own
 * ServiceAccounts, then the registration, pool, claim, policy and deletion flows one after the other on simulated
 * clusters of 1 s; the verb case is 14 s of it).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../src/api/index.js";
import {
  bootstrapPolicyResource,
  clusterClaimResource,
  clusterDeploymentResource,
} from "../../src/api/resources.js";
import { getCondition, type Condition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import {
  allowingRule,
  describePermission,
  rbacRules,
  ruleResources,
  type SlipwayProcess,
} from "../../src/runtime/rbac.js";
import type { KubeObject } from "../../src/runtime/resource.js";
import { clusterClaim } from "../builders/cluster-claim.js";
import { simulatedClusterManifest } from "../builders/cluster-deployment.js";
import { clusterPool } from "../builders/cluster-pool.js";
import { renderChart } from "../harness/chart.js";
import { slipwayUnderTest, type ComponentProcess, type SlipwayUnderTest } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { hubKubeConfig, kubectl, kubectlOk } from "../harness/hub.js";
import { RecordingProxy } from "../harness/rbac-proxy.js";

const condition = (o: { status?: { conditions?: unknown } } | undefined, type: string) =>
  getCondition(o?.status?.conditions as Condition[] | undefined, type);

/**
 * Rules (process, verb, resource) these flows do not reach, or not on every run, and why; each has its call site
 * in the rule's `why` (src/runtime/rbac.ts). A rule neither used nor listed here fails the test: it is more than
 * the code needs.
 */
const notReachedHere: Record<string, string> = {
  "controller certificatesigningrequests/approval update":
    "only real OCM agents ask for certificates (registration-simulated.test.ts approves them)",
  "controller signers approve": "the same approval",
  "controller certificatesigningrequests create":
    "held only to grant it to each cluster's bootstrap identity",
  "controller certificatesigningrequests get": "held only to grant it to each cluster's bootstrap identity",
  "controller clusterclaims delete": "a claim past its spec.lifetime",
  "controller clusterfailovers/status patch": "failover flows (failover.test.ts)",
  "controller managedclustersets create": "the default ManagedClusterSet exists on the test hub",
  "controller events get": "an Event already on the hub that this process has not counted (after a restart)",
  "controller events patch": "a repeated Event is counted up; whether one repeats depends on timing",
  "worker leases create":
    "OCM's registration controller on the hub usually creates the cluster's lease first",
  "controller hostedclusters get":
    "HostedCluster flows (hosted-cluster tests): a finalizer re-read on a conflict",
  "controller hostedclusters patch": "HostedCluster flows: its finalizer",
  "controller hostedclusters/status patch": "HostedCluster flows",
  "controller nodepools get": "NodePool flows: a finalizer re-read on a conflict",
  "controller nodepools patch": "NodePool flows: its finalizer",
  "controller nodepools delete": "a deleted HostedCluster deletes its NodePools",
  "controller nodepools/status patch": "NodePool flows",
  "worker hostedclusters get": "a HostedCluster's stack job",
  "worker secrets get":
    "credentials and spoke kubeconfigs: simulated clusters have neither (cloud and local flows)",
  "worker serviceaccounts/token create": "a bootstrap token for a real agent (local platform)",
};

describe("the chart's RBAC, run by the real controller and worker", () => {
  const suffix = randomBytes(3).toString("hex");
  const release = `rbac-${suffix}`;
  let sut: SlipwayUnderTest;
  let ns: string;
  let system: string;
  let admin: KubeClient;
  let proxy: RecordingProxy;
  let rbacObjects: KubeObject[];
  let controller: ComponentProcess;
  const clusterName = `rbac-reg-${suffix}`;

  async function serviceAccountToken(name: string): Promise<string> {
    const answer = await admin.request<{ status?: { token?: string } }>(
      "POST",
      `/api/v1/namespaces/${system}/serviceaccounts/${name}/token`,
      {
        body: {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenRequest",
          spec: { expirationSeconds: 3600 },
        },
      },
    );
    return answer.status!.token!;
  }

  beforeAll(async () => {
    sut = await slipwayUnderTest("e2e-rbac", {}, { otherNamespaces: ["system"] });
    ns = sut.namespace;
    system = sut.otherNamespaces.system!;
    admin = new KubeClient(hubKubeConfig());
    rbacObjects = renderChart({
      release,
      namespace: system,
      values: {
        watchNamespaces: [ns],
        "pulumi.backendUrl": "file:///var/lib/slipway/pulumi",
        "pulumi.passphrase.existingSecret": "pulumi-passphrase",
      },
      showOnly: ["templates/serviceaccounts.yaml", "templates/rbac.yaml"],
    });
    await kubectlOk(["apply", "-f", "-"], {
      input: rbacObjects.map((o) => JSON.stringify(o)).join("\n"),
    });
    proxy = new RecordingProxy(hubKubeConfig());
    await proxy.start();
    const controllerToken = await serviceAccountToken(`${release}-slipway-controller`);
    proxy.identify(controllerToken, "controller");
    writeFileSync(join(sut.stateDir, "controller.kubeconfig"), proxy.kubeconfig(controllerToken));
    // The worker reads its hub as a pod does: the chart's own kubeconfig, with the token and CA as files where
    // the kubelet mounts them (here a folder of the test's, and the proxy for the server).
    const workerToken = await serviceAccountToken(`${release}-slipway-worker`);
    proxy.identify(workerToken, "worker");
    const mounted = join(sut.stateDir, "serviceaccount");
    mkdirSync(mounted, { recursive: true });
    writeFileSync(join(mounted, "token"), workerToken);
    writeFileSync(join(mounted, "ca.crt"), proxy.certPem);
    const [podKubeconfig] = renderChart({
      release,
      namespace: system,
      values: {
        "pulumi.backendUrl": "file:///var/lib/slipway/pulumi",
        "pulumi.passphrase.existingSecret": "p",
      },
      showOnly: ["templates/hub-kubeconfig.yaml"],
    }) as (KubeObject & { data: { kubeconfig: string } })[];
    writeFileSync(
      join(sut.stateDir, "worker.kubeconfig"),
      podKubeconfig!.data.kubeconfig
        .replaceAll("/var/run/secrets/kubernetes.io/serviceaccount", mounted)
        .replace("https://kubernetes.default.svc", proxy.serverUrl),
    );
    // Leader election on, in the release's namespace, as the chart runs it; the namespaces its RBAC names.
    const env = (process: string) => ({
      SLIPWAY_KUBECONFIG: join(sut.stateDir, `${process}.kubeconfig`),
      SLIPWAY_NAMESPACE: system,
      SLIPWAY_WATCH_NAMESPACES: ns,
    });
    controller = sut.controller(env("controller"));
    sut.worker(env("worker"));
  });

  afterAll(async () => {
    await kubectl([
      "delete",
      "clusterdeployments,clusterclaims,clusterpools,bootstrappolicies",
      "--all",
      "-n",
      ns,
      "--timeout=60s",
    ]);
    await sut?.stopAll();
    await proxy?.stop();
    for (const o of rbacObjects ?? []) {
      if (o.metadata?.namespace) continue;
      await kubectl(["delete", o.kind!.toLowerCase(), o.metadata!.name!, "--ignore-not-found"]);
    }
  });

  const get = (name: string) => admin.get<ClusterDeployment>(clusterDeploymentResource, ns, name);

  it("runs the ClusterDeployment, registration, pool, claim, policy and deletion flows with the chart's rules only", async () => {
    const labels = { "rbac-test": suffix };
    const registered = simulatedClusterManifest(
      "registered",
      { provisionSeconds: 1 },
      { registration: true },
    );
    await kubectlOk(["apply", "-n", ns, "-f", "-"], {
      input: JSON.stringify({
        ...registered,
        metadata: { ...registered.metadata, labels },
        spec: { ...registered.spec, clusterName, registration: { labels } },
      }),
    });
    await kubectlOk(["apply", "-f", "-"], { input: JSON.stringify(clusterPool("pool", ns, { size: 1 })) });
    await kubectlOk(["apply", "-f", "-"], { input: JSON.stringify(clusterClaim("claim", ns, "pool")) });
    await kubectlOk(["apply", "-n", ns, "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "slipway.dev/v1alpha1",
        kind: "BootstrapPolicy",
        metadata: { name: "baseline" },
        spec: {
          clusterSelector: { matchLabels: labels },
          remediationAction: "enforce",
          objectTemplates: [
            {
              complianceType: "musthave",
              objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "rbac-baseline" } },
            },
          ],
        },
      }),
    });

    const cd = await eventually(
      "the registered cluster Ready, Joined and Bootstrapped",
      async () => {
        const c = await get("registered");
        return ["Ready", "Registered", "Joined", "Bootstrapped"].every(
          (t) => condition(c, t)?.status === "True",
        )
          ? c
          : undefined;
      },
      90_000,
    );
    expect(cd.status?.registration).toMatchObject({ managedClusterName: clusterName, result: "Succeeded" });
    await eventually(
      "the claim Ready",
      async () =>
        condition(
          await admin.get<KubeObject & { status?: object }>(clusterClaimResource, ns, "claim"),
          "Ready",
        )?.status === "True",
      90_000,
    );
    const policy = await eventually("the policy Compliant", async () => {
      const p = await admin.get<KubeObject & { status?: { compliant?: string } }>(
        bootstrapPolicyResource,
        ns,
        "baseline",
      );
      return p.status?.compliant === "Compliant" ? p : undefined;
    });
    expect(policy.status?.compliant).toBe("Compliant");

    await kubectlOk(["delete", "clusterdeployment", "registered", "-n", ns, "--timeout=60s"]);
    await kubectlOk(["delete", "clusterclaim", "claim", "-n", ns, "--timeout=60s"]);
    expect(await kubectl(["get", "managedcluster", clusterName])).toMatchObject({ code: 1 });

    const denied = proxy.requests.filter((r) => r.statusCode === 403);
    expect(denied.map((r) => `${r.identity}: ${describePermission(r.verb, r.apiGroup, r.resource)}`)).toEqual(
      [],
    );

    // Every grant is used, or named in notReachedHere with why.
    const unused: string[] = [];
    for (const process of ["controller", "worker"] as SlipwayProcess[]) {
      const mine = proxy.requests.filter((r) => r.identity === process);
      for (const rule of rbacRules[process])
        for (const resource of ruleResources(rule))
          for (const verb of rule.verbs) {
            // Server-side apply of a new object (201 Created) is authorized as create as well as patch.
            const used = mine.some(
              (r) =>
                (r.verb === verb || (verb === "create" && r.verb === "patch" && r.statusCode === 201)) &&
                r.resource === resource &&
                allowingRule([rule], { ...r, verb: r.verb === verb ? r.verb : "patch" }) === rule,
            );
            if (!used && !(`${process} ${resource} ${verb}` in notReachedHere))
              unused.push(`${process} ${resource} ${verb}`);
          }
    }
    expect(unused).toEqual([]);
    // And the list above names only what the chart grants.
    const granted = new Set(
      (["controller", "worker"] as SlipwayProcess[]).flatMap((p) =>
        rbacRules[p].flatMap((rule) =>
          ruleResources(rule).flatMap((res) => rule.verbs.map((v) => `${p} ${res} ${v}`)),
        ),
      ),
    );
    expect(Object.keys(notReachedHere).filter((k) => !granted.has(k))).toEqual([]);
  });

  it("with a verb taken out of the controller's role, the controller names the verb and the resource it lacks", async () => {
    const watched = rbacObjects.find(
      (o) => o.kind === "ClusterRole" && o.metadata!.name === `${release}-slipway-controller-watched`,
    ) as KubeObject & {
      rules: { resources: string[]; verbs: string[] }[];
    };
    const without = {
      ...watched,
      // patch of clusterdeployments/status out; the rule keeps the other kinds' status.
      rules: watched.rules.map((r) => ({
        ...r,
        resources: r.resources.filter((resource) => resource !== "clusterdeployments/status"),
      })),
    };
    await kubectlOk(["apply", "-f", "-"], { input: JSON.stringify(without) });
    try {
      await kubectlOk(["apply", "-n", ns, "-f", "-"], {
        input: JSON.stringify(simulatedClusterManifest("denied", { provisionSeconds: 1 })),
      });
      const line = await eventually(
        "the controller's log naming the missing permission",
        async () =>
          controller
            .log()
            .split("\n")
            .find((l) => l.includes("patch clusterdeployments/status.slipway.dev")),
        30_000,
      );
      expect(line).toMatch(/RBAC/);
    } finally {
      await kubectlOk(["apply", "-f", "-"], { input: JSON.stringify(watched) });
    }
    // With the verb back the cluster goes on: the error was a retry, not a dead end.
    await eventually(
      "the denied cluster Ready once the verb is back",
      async () => condition(await get("denied"), "Ready")?.status === "True",
      60_000,
    );
  });
});
