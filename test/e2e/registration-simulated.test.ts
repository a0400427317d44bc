import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../src/api/index.js";
import { clusterDeploymentResource } from "../../src/api/resources.js";
import { bootstrapUser, CSR_CLUSTER_NAME_LABEL } from "../../src/bootstrap/registration/names.js";
import {
  clusterRoleResource,
  csrResource,
  managedClusterResource,
  managedClusterSetResource,
} from "../../src/bootstrap/registration/resources.js";
import { bootstrapToken } from "../../src/bootstrap/registration/bootstrap-kubeconfig.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { namespaceResource } from "../../src/api/resources.js";
import type { KubeObject } from "../../src/runtime/resource.js";
import { simulatedClusterManifest } from "../builders/cluster-deployment.js";
import { deleteClustersThenStop, slipwayUnderTest, type SlipwayUnderTest } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { hubKubeConfig, kubectlOk } from "../harness/hub.js";

type MC = KubeObject & {
  spec?: { hubAcceptsClient?: boolean; leaseDurationSeconds?: number };
  status?: { conditions?: { type: string; status: string }[] };
};
type Csr = KubeObject & { status?: { conditions?: { type: string }[]; certificate?: string } };

const keys = mkdtempSync(join(tmpdir(), "slipway-reg-"));
function csrPem(subject: string): string {
  const key = join(keys, `${randomBytes(4).toString("hex")}.key`);
  execFileSync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
  return execFileSync("openssl", ["req", "-new", "-key", key, "-subj", subject], { encoding: "utf8" });
}
const agentSubject = (cluster: string, agent: string) =>
  `/O=system:open-cluster-management:${cluster}/O=system:open-cluster-management:managed-clusters/CN=system:open-cluster-management:${cluster}:${agent}`;

function csrFor(cluster: string, subject: string) {
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { generateName: `${cluster}-`, labels: { [CSR_CLUSTER_NAME_LABEL]: cluster } },
    spec: {
      signerName: "kubernetes.io/kube-apiserver-client",
      usages: ["digital signature", "key encipherment", "client auth"],
      request: Buffer.from(csrPem(subject)).toString("base64"),
    },
  } as KubeObject;
}

/** A client of the test hub that authenticates with a bootstrap token only. */
function asIdentity(token: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...hubKubeConfig().getCurrentCluster()!, name: "hub" }],
    users: [{ name: "bootstrap", token }],
    contexts: [{ name: "bootstrap", cluster: "hub", user: "bootstrap" }],
    currentContext: "bootstrap",
  });
  return new KubeClient(kc);
}

const approved = (csr: Csr) => (csr.status?.conditions ?? []).some((c) => c.type === "Approved");

describe("registration of simulated clusters on the real hub (OCM's controller runs there)", () => {
  let sut: SlipwayUnderTest;
  let kube: KubeClient;
  let ns: string;
  let other: string;
  const suffix = randomBytes(3).toString("hex");
  const a = `reg-a-${suffix}`;
  const b = `reg-b-${suffix}`;
  const clusterSet = `set-${suffix}`;

  beforeAll(async () => {
    sut = await slipwayUnderTest(
      "e2e-reg-sim",
      { SLIPWAY_LEADER_ELECTION: "false" },
      { otherNamespaces: ["other"] },
    );
    sut.controller();
    sut.worker();
    kube = new KubeClient(hubKubeConfig());
    ns = sut.namespace;
    other = sut.otherNamespaces.other!;
  });

  afterAll(async () => {
    await deleteClustersThenStop(sut, ns);
    await kubectlOk(["delete", "cd", "--all", "-n", other, "--timeout=60s"]).catch(() => undefined);
    await kube.delete(managedClusterSetResource, undefined, clusterSet).catch(() => undefined);
    rmSync(keys, { recursive: true, force: true });
  });

  const get = (name: string, namespace = ns) =>
    kube.get<ClusterDeployment>(clusterDeploymentResource, namespace, name);
  const condition = (cd: ClusterDeployment, type: string) =>
    getCondition(cd.status?.conditions as never, type);

  async function apply(name: string, clusterName: string, namespace = ns) {
    const manifest = simulatedClusterManifest(name, { provisionSeconds: 1 });
    const spec = {
      ...manifest.spec,
      clusterName,
      registration: { clusterSet, labels: { team: "payments" } },
    };
    await kubectlOk(["apply", "-n", namespace, "-f", "-"], { input: JSON.stringify({ ...manifest, spec }) });
  }

  it("registers and joins a simulated cluster: ManagedCluster, labels, clusterset, bootstrap identity", async () => {
    await apply("a", a);
    await apply("b", b);
    const cd = await eventually(
      "a Registered and Joined",
      async () => {
        const c = await get("a");
        return condition(c, "Registered")?.status === "True" && condition(c, "Joined")?.status === "True"
          ? c
          : undefined;
      },
      90_000,
    );
    expect(condition(cd, "Joined")).toMatchObject({ reason: "ManagedClusterAvailable" });
    expect(cd.status?.registration).toMatchObject({
      type: "register",
      result: "Succeeded",
      managedClusterName: a,
    });
    const mc = await kube.get<MC>(managedClusterResource, undefined, a);
    expect(mc.metadata?.labels).toMatchObject({
      "cluster.open-cluster-management.io/clusterset": clusterSet,
      "slipway.dev/platform": "simulated",
      team: "payments",
    });
    expect(mc.spec?.hubAcceptsClient).toBe(true);
    expect(await kube.getIfExists(managedClusterSetResource, undefined, clusterSet)).toBeDefined();
    expect(await kube.getIfExists(clusterRoleResource, undefined, `slipway:bootstrap:${a}`)).toBeDefined();
    // Registration owns its conditions only: Ready and the stack's are still the ClusterDeployment controller's.
    const managers = (cd.metadata as { managedFields?: { manager?: string }[] }).managedFields ?? [];
    expect(managers.map((m) => m.manager)).toContain("slipway-registration");
  });

  it("a bootstrap credential of cluster A cannot get cluster B accepted; an unknown agent is never approved", async () => {
    await eventually(
      "b registered",
      async () => condition(await get("b"), "Registered")?.status === "True",
      90_000,
    );
    const asA = asIdentity(await bootstrapToken(kube, a));
    // A's identity reads its own ManagedCluster and nothing else; it cannot accept or create any.
    await expect(asA.get(managedClusterResource, undefined, a)).resolves.toBeDefined();
    await expect(asA.get(managedClusterResource, undefined, b)).rejects.toMatchObject({ statusCode: 403 });
    await expect(
      asA.patch(
        managedClusterResource,
        undefined,
        b,
        { spec: { hubAcceptsClient: true } },
        { type: "merge" },
      ),
    ).rejects.toMatchObject({ statusCode: 403 });
    await expect(
      asA.create(managedClusterResource, {
        apiVersion: "cluster.open-cluster-management.io/v1",
        kind: "ManagedCluster",
        metadata: { name: `rogue-${suffix}` },
        spec: { hubAcceptsClient: true },
      } as KubeObject),
    ).rejects.toMatchObject({ statusCode: 403 });

    // A asks for B's certificate (labelled and named as B's agent would); an unknown requester asks for A's.
    const forged = await asA.create<Csr>(csrResource, csrFor(b, agentSubject(b, "forged")));
    const unknown = await kube.create<Csr>(csrResource, csrFor(a, agentSubject(a, "unknown")));
    // Controls: the same requests from each cluster's own bootstrap identity are approved.
    const asB = asIdentity(await bootstrapToken(kube, b));
    const legitB = await asB.create<Csr>(csrResource, csrFor(b, agentSubject(b, "agent")));
    const legitA = await asA.create<Csr>(csrResource, csrFor(a, agentSubject(a, "agent")));
    for (const legit of [legitA, legitB]) {
      await eventually(
        `${legit.metadata!.name} approved`,
        async () => approved(await kube.get<Csr>(csrResource, undefined, legit.metadata!.name!)),
        60_000,
      );
    }
    const forgedNow = await kube.get<Csr>(csrResource, undefined, forged.metadata!.name!);
    const unknownNow = await kube.get<Csr>(csrResource, undefined, unknown.metadata!.name!);
    expect(approved(forgedNow)).toBe(false);
    expect(forgedNow.status?.certificate).toBeUndefined();
    expect(approved(unknownNow)).toBe(false);
    expect((forgedNow as { spec?: { username?: string } }).spec?.username).toBe(bootstrapUser(a));
    for (const csr of [forged, unknown, legitA, legitB])
      await kube.delete(csrResource, undefined, csr.metadata!.name!).catch(() => undefined);
  });

  it("refuses a clusterName another ClusterDeployment registered, with a condition that says what to change", async () => {
    await apply("a-again", a, other);
    const cd = await eventually(
      "a-again refused",
      async () => {
        const c = await get("a-again", other);
        return condition(c, "Registered")?.reason === "ManagedClusterNameTaken" ? c : undefined;
      },
      90_000,
    );
    expect(condition(cd, "Registered")).toMatchObject({ status: "False" });
    expect(condition(cd, "Registered")!.message).toContain(`${ns}/a`);
    await kubectlOk(["delete", "cd", "a-again", "-n", other, "--timeout=60s"]);
    // Deleting the refused one leaves the owner's registration alone.
    expect(await kube.getIfExists(managedClusterResource, undefined, a)).toBeDefined();
  });

  it("spec.registration.enabled=false deregisters: ManagedCluster, namespace and RBAC are gone", async () => {
    await kube.patch(
      clusterDeploymentResource,
      ns,
      "b",
      { spec: { registration: { enabled: false } } },
      { type: "merge" },
    );
    await eventually(
      "b deregistered",
      async () => {
        const c = await get("b");
        const mc = await kube.getIfExists(managedClusterResource, undefined, b);
        const namespace = await kube.getIfExists(namespaceResource, undefined, b);
        return !mc && !namespace && !condition(c, "Registered") && !condition(c, "Joined");
      },
      90_000,
    );
    expect(await kube.getIfExists(clusterRoleResource, undefined, `slipway:bootstrap:${b}`)).toBeUndefined();
  });

  it("deleting a registered cluster leaves nothing of it on the hub", async () => {
    await kubectlOk(["delete", "cd", "a", "-n", ns, "--timeout=90s"]);
    expect(await kube.getIfExists(managedClusterResource, undefined, a)).toBeUndefined();
    expect(await kube.getIfExists(namespaceResource, undefined, a)).toBeUndefined();
    const rbac = await kubectlOk(["get", "clusterroles,clusterrolebindings", "-o", "name"]);
    expect(rbac).not.toContain(a);
  });
});
