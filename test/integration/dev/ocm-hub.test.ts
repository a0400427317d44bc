import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../../harness/eventually.js";
import { kubectl, kubectlOk } from "../../harness/hub.js";

/** A ManagedCluster as a platform team (or Slipway's registration) creates it on the hub. */
function managedCluster(name: string): string {
  return JSON.stringify({
    apiVersion: "cluster.open-cluster-management.io/v1",
    kind: "ManagedCluster",
    metadata: { name },
    spec: { hubAcceptsClient: true },
  });
}

async function exists(kind: string, name: string): Promise<boolean> {
  const r = await kubectl(["get", kind, name, "-o", "name"]);
  if (r.code === 0) return true;
  if (r.stderr.includes("NotFound")) return false;
  throw new Error(`kubectl get ${kind} ${name}: ${r.stderr}`);
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse(await kubectlOk([...args, "-o", "json"])) as T;
}

interface ManagedCluster {
  metadata: { finalizers?: string[] };
  status?: { conditions?: { type: string; status: string; reason: string }[] };
}

describe("the embedded OCM registration hub controller", () => {
  const name = `ocm-${randomBytes(3).toString("hex")}`;

  afterAll(async () => {
    await kubectl(["delete", "managedcluster", name, "--ignore-not-found", "--timeout=30s"]);
    // OCM v1.2.0 never deletes a cluster's hub namespace: whoever deregisters does.
    await kubectl(["delete", "namespace", name, "--ignore-not-found", "--wait=false"]);
  });

  it("runs on the test hub with OCM's CRDs and bootstrap RBAC installed", async () => {
    const crds = await kubectlOk(["get", "crds", "-o", "name"]);
    for (const crd of [
      "managedclusters.cluster.open-cluster-management.io",
      "manifestworks.work.open-cluster-management.io",
      "managedclusteraddons.addon.open-cluster-management.io",
      "clustermanagementaddons.addon.open-cluster-management.io",
    ])
      expect(crds).toContain(`customresourcedefinition.apiextensions.k8s.io/${crd}`);
    const canCreateCsr = await kubectlOk([
      "auth",
      "can-i",
      "create",
      "certificatesigningrequests",
      "--as=system:serviceaccount:open-cluster-management:agent-registration-bootstrap",
    ]);
    expect(canCreateCsr.trim()).toBe("yes");
    expect(await exists("namespace", "open-cluster-management-hub")).toBe(true);
  });

  it("accepts a ManagedCluster: its hub namespace and RBAC appear, and deleting it completes", async () => {
    await kubectlOk(["apply", "-f", "-"], { input: managedCluster(name) });

    const accepted = await eventually(
      "OCM to accept the cluster",
      async () => {
        const mc = await json<ManagedCluster>(["get", "managedcluster", name]);
        const condition = mc.status?.conditions?.find((c) => c.type === "HubAcceptedManagedCluster");
        return condition?.status === "True" ? mc : undefined;
      },
      30_000,
    );
    expect(accepted.metadata.finalizers ?? []).toContain(
      "cluster.open-cluster-management.io/api-resource-cleanup",
    );
    await eventually("the cluster's hub namespace", () => exists("namespace", name), 30_000);
    await eventually(
      "the cluster's ClusterRole",
      () => exists("clusterrole", `open-cluster-management:managedcluster:${name}`),
      30_000,
    );

    // Only the running controller removes its finalizers: without it this delete would hang.
    await kubectlOk(["delete", "managedcluster", name, "--timeout=30s"]);
    expect(await exists("managedcluster", name)).toBe(false);
    await eventually(
      "the cluster's ClusterRole to be removed",
      async () => !(await exists("clusterrole", `open-cluster-management:managedcluster:${name}`)),
      30_000,
    );
  });
});
