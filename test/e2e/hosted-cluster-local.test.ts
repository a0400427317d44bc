/**
 * HostedClusters on the local platform through Slipway's controller, worker and the Pulumi CLI: several hosted
 * control planes (kube-apiserver, kube-controller-manager, kube-scheduler) over one shared etcd, each under its
 * own key prefix; one joins the hub with OCM's real agent and is bootstrapped by a BootstrapPolicy; hibernation keeps
 * the keys; deletion leaves no process, folder, Secret, key or ManagedCluster behind.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostedCluster } from "../../src/api/index.js";
import { bootstrapPolicyResource, hostedClusterResource, secretResource } from "../../src/api/resources.js";
import { managedClusterResource } from "../../src/bootstrap/registration/resources.js";
import { kubectl as kubectlAt } from "../../src/local/kubectl.js";
import { SharedEtcd } from "../../src/local/shared-etcd.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import type { KubeObject } from "../../src/runtime/resource.js";
import { distDir, toolsBinDir } from "../../src/runtime/paths.js";
import { hostedClusterManifest } from "../builders/hosted-cluster.js";
import { processesNaming, slipwayUnderTest, type SlipwayUnderTest } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { hubKubeConfig, hubKubeconfigPath, kubectlOk } from "../harness/hub.js";

/** The compiled `slipway` CLI against the test hub. */
function slipwayCli(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(distDir, "src", "cli", "main.js"), ...args],
      { env: { ...process.env, SLIPWAY_KUBECONFIG: hubKubeconfigPath(), SLIPWAY_LOG_LEVEL: "warn" } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

describe("HostedCluster on the local platform, end to end", () => {
  let sut: SlipwayUnderTest;
  let kube: KubeClient;
  let ns: string;
  let etcd: SharedEtcd;
  let etcdDir: string;

  beforeAll(async () => {
    sut = await slipwayUnderTest("e2e-hosted", { SLIPWAY_LEADER_ELECTION: "false" });
    sut.controller();
    sut.worker();
    kube = new KubeClient(hubKubeConfig());
    ns = sut.namespace;
    etcdDir = join(sut.stateDir, "hosted-etcd");
    etcd = new SharedEtcd({ dir: etcdDir, binDir: toolsBinDir });
  });

  afterAll(async () => {
    if (ns)
      await kubectlOk(["delete", "hostedclusters", "--all", "-n", ns, "--timeout=120s"]).catch(
        () => undefined,
      );
    await sut?.stopAll();
  });

  const get = (name: string) => kube.get<HostedCluster>(hostedClusterResource, ns, name);
  const condition = (hc: HostedCluster, type: string) => getCondition(hc.status?.conditions as never, type);
  const apply = (manifest: object) =>
    kubectlOk(["apply", "-n", ns, "-f", "-"], { input: JSON.stringify(manifest) });
  const setPower = (name: string, powerState: "Running" | "Hibernating") =>
    kube.patch(hostedClusterResource, ns, name, { spec: { powerState } }, { type: "merge" });
  const availableIs = (name: string, status: "True" | "False", powerState: string) =>
    eventually(
      `${name} Available=${status} (${powerState})`,
      async () => {
        const hc = await get(name);
        return condition(hc, "Available")?.status === status && hc.status?.powerState === powerState
          ? hc
          : undefined;
      },
      120_000,
    );
  const dataDir = (hc: HostedCluster) =>
    join(sut.stateDir, "clusters", `${ns}-${hc.metadata!.name}-${hc.metadata!.uid!.slice(0, 8)}`);
  const prefixOf = (hc: HostedCluster) =>
    `/hosted/${ns}-${hc.metadata!.name}-${hc.metadata!.uid!.slice(0, 8)}/`;

  async function spokeFor(hc: HostedCluster) {
    const secret = await kube.get<KubeObject & { data?: Record<string, string> }>(
      secretResource,
      ns,
      hc.status!.kubeconfig!.name,
    );
    const file = join(sut.stateDir, `${hc.metadata!.name}.kubeconfig`);
    await writeFile(file, Buffer.from(secret.data!.kubeconfig!, "base64"));
    return (args: string[]) => kubectlAt(toolsBinDir, file, ["--request-timeout=5s", ...args]);
  }

  it("runs two control planes on one shared etcd, registers and bootstraps one, hibernates and resumes the other, and deletes both without leftovers", async () => {
    const started = Date.now();
    // beta joins the hub with OCM's real agent; its ManagedCluster (named after it) is cluster-scoped, so the name is
    // unique on the shared test hub.
    const betaName = `beta-${randomBytes(3).toString("hex")}`;
    await apply(hostedClusterManifest("alpha"));
    const betaManifest = hostedClusterManifest(betaName, { registration: { enabled: true } });
    await apply({ ...betaManifest, metadata: { ...betaManifest.metadata, labels: { tier: "hosted-e2e" } } });
    const alpha = await availableIs("alpha", "True", "Running");
    const beta = await availableIs(betaName, "True", "Running");
    console.log(`two hosted control planes Available in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(alpha.status?.kubeconfig?.name).toBe("alpha-admin-kubeconfig");
    expect(alpha.status?.controlPlaneEndpoint?.host).toBe("127.0.0.1");
    expect(alpha.status?.version).toBe("1.36");
    expect(alpha.status?.provisionedAt).toBeDefined();
    expect(condition(alpha, "Ready")?.status).toBe("True");
    expect(condition(alpha, "Degraded")?.status).toBe("False");
    expect(condition(alpha, "Progressing")?.status).toBe("False");
    await kubectlOk([
      "wait",
      "-n",
      ns,
      "--for=condition=Available",
      "hc/alpha",
      `hc/${betaName}`,
      "--timeout=10s",
    ]);
    const listed = await slipwayCli(["get", "hosted", "-n", ns]);
    expect(listed.out).toMatch(/NAME\s+PLATFORM\s+VERSION\s+POWERSTATE\s+READY\s+AVAILABLE\s+PROGRESSING/);
    expect(listed.out).toMatch(
      /alpha\s+local\s+1\.36\s+Running\s+True\s+True\s+False\s+-\s+-\s+127\.0\.0\.1:\d+/,
    );

    // One etcd for both, none in their folders; each API keeps to its own prefix.
    expect(processesNaming(etcdDir)).toHaveLength(1);
    expect(existsSync(join(dataDir(alpha), "etcd"))).toBe(false);
    const alphaApi = await spokeFor(alpha);
    const betaApi = await spokeFor(beta);
    expect((await alphaApi(["create", "configmap", "kept", "--from-literal=k=v"])).code).toBe(0);
    expect((await betaApi(["get", "configmap", "kept"])).code).not.toBe(0);
    expect(await etcd.countKeys(prefixOf(alpha))).toBeGreaterThan(0);

    // beta is "a cluster" like a ClusterDeployment: registered with OCM's real agent, joined, and bootstrapped by a
    // BootstrapPolicy that selects it by label.
    await apply({
      apiVersion: "slipway.dev/v1alpha1",
      kind: "BootstrapPolicy",
      metadata: { name: "hosted-team-ns" },
      spec: {
        clusterSelector: { matchLabels: { tier: "hosted-e2e" } },
        remediationAction: "enforce",
        objectTemplates: [
          {
            complianceType: "musthave",
            objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-hosted" } },
          },
        ],
      },
    });
    const joined = await eventually(
      `${betaName} Registered, Joined and Bootstrapped`,
      async () => {
        const hc = await get(betaName);
        return ["Registered", "Joined", "Bootstrapped"].every((t) => condition(hc, t)?.status === "True")
          ? hc
          : undefined;
      },
      120_000,
    );
    console.log(
      `${betaName} registered, joined and bootstrapped ${((Date.now() - started) / 1000).toFixed(1)} s after apply`,
    );
    expect(joined.status?.registration?.managedClusterName).toBe(betaName);
    const mc = await kube.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(
      managedClusterResource,
      undefined,
      betaName,
    );
    expect(mc.status?.conditions?.find((c) => c.type === "ManagedClusterConditionAvailable")?.status).toBe(
      "True",
    );
    expect((await betaApi(["get", "ns", "team-hosted", "-o", "name"])).stdout.trim()).toBe(
      "namespace/team-hosted",
    );
    expect(
      (
        await kube.get<KubeObject & { status?: { clusters?: { name: string }[] } }>(
          bootstrapPolicyResource,
          ns,
          "hosted-team-ns",
        )
      ).status?.clusters?.map((c) => c.name),
    ).toEqual([betaName]);

    // A real scheduler runs: with no node, a pod is marked Unschedulable (what NodePool autoscaling reads).
    // Admission refuses a pod until kube-controller-manager has made the namespace's default ServiceAccount, which
    // may come after Available (the API serving): wait for it, as a user's first pod would.
    await eventually("alpha's default ServiceAccount", async () => {
      const sa = await alphaApi(["get", "serviceaccount", "default", "-o", "name"]);
      return sa.code === 0 || undefined;
    });
    const probe = await alphaApi(["run", "probe", "--image=registry.invalid/none", "--restart=Never"]);
    expect(probe.code, probe.stderr).toBe(0);
    await eventually(
      "the scheduler's verdict on the probe pod",
      async () => {
        const out = await alphaApi(["get", "pod", "probe", "-o", "jsonpath={.status.conditions[0].reason}"]);
        return out.stdout === "Unschedulable" || undefined;
      },
      30_000,
    );

    // Hibernation stops alpha's processes and keeps its keys; beta and the shared etcd keep running.
    await setPower("alpha", "Hibernating");
    const hibernated = await availableIs("alpha", "False", "Hibernating");
    expect(condition(hibernated, "Available")?.reason).toBe("Hibernating");
    expect(condition(hibernated, "Ready")?.status).toBe("True");
    expect(processesNaming(dataDir(alpha))).toEqual([]);
    expect(processesNaming(etcdDir)).toHaveLength(1);
    expect((await betaApi(["get", "ns", "default"])).code).toBe(0);
    expect(await etcd.countKeys(prefixOf(alpha))).toBeGreaterThan(0);

    await setPower("alpha", "Running");
    const resumed = await availableIs("alpha", "True", "Running");
    expect(resumed.status?.lastHibernatedAt).toBeDefined();
    expect(resumed.status?.lastResumedAt).toBeDefined();
    expect((await alphaApi(["get", "configmap", "kept", "-o", "jsonpath={.data.k}"])).stdout).toBe("v");

    // Deleting alpha removes its processes, folder, Secret and keys; the etcd stays for beta.
    await kubectlOk(["delete", "-n", ns, "hc/alpha", "--timeout=90s"]);
    expect(processesNaming(dataDir(alpha))).toEqual([]);
    expect(existsSync(dataDir(alpha))).toBe(false);
    expect(await kube.getIfExists(secretResource, ns, "alpha-admin-kubeconfig")).toBeUndefined();
    expect(await etcd.countKeys(prefixOf(alpha))).toBe(0);
    expect(await etcd.countKeys(prefixOf(beta))).toBeGreaterThan(0);
    expect(Object.keys(await etcd.members())).toEqual([prefixOf(beta).slice(0, -1)]);

    // The last one deleted takes the shared etcd with it, and its ManagedCluster.
    await kubectlOk(["delete", "-n", ns, `hc/${betaName}`, "--timeout=90s"]);
    await eventually(
      `${betaName}'s ManagedCluster gone`,
      async () =>
        (await kube.getIfExists(managedClusterResource, undefined, betaName)) === undefined || undefined,
      30_000,
    );
    expect(processesNaming(dataDir(beta))).toEqual([]);
    expect(processesNaming(etcdDir)).toEqual([]);
    expect(existsSync(etcdDir)).toBe(false);
  }, 300_000);

  it("answers what it cannot run with Stalled and words", async () => {
    await apply(
      hostedClusterManifest("on-aws", {
        platform: { aws: { region: "eu-west-1", credentialsRef: { name: "aws-creds" } } } as never,
      }),
    );
    await apply(hostedClusterManifest("ha", { controllerAvailabilityPolicy: "HighlyAvailable" }));
    await apply(hostedClusterManifest("old", { release: { version: "1.30" } }));
    const stalled = async (name: string) =>
      eventually(
        `${name} Stalled`,
        async () => {
          const hc = await get(name);
          const c = condition(hc, "Stalled");
          return c?.status === "True" ? { hc, c } : undefined;
        },
        60_000,
      );
    const aws = await stalled("on-aws");
    expect(aws.c.reason).toBe("UnsupportedPlatform");
    expect(aws.c.message).toContain('no HostedCluster program for platform "aws"');
    expect(aws.c.message).toContain("local");
    expect(condition(aws.hc, "Available")?.reason).toBe("UnsupportedPlatform");
    const ha = await stalled("ha");
    expect(ha.c.reason).toBe("UnsupportedAvailabilityPolicy");
    expect(ha.c.message).toContain("SingleReplica");
    const old = await stalled("old");
    expect(old.c.reason).toBe("UnsupportedVersion");
    expect(old.c.message).toContain("spec.release.version to 1.36");
    // Nothing was ever created for them: deleting them is immediate.
    await kubectlOk(["delete", "-n", ns, "hc/on-aws", "hc/ha", "hc/old", "--timeout=30s"]);
  }, 120_000);
});
