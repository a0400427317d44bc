import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import type { KubeClient } from "../../../src/runtime/kube-client.js";
import type { KubeObject } from "../../../src/runtime/resource.js";
import type { Manager } from "../../../src/runtime/manager.js";
import {
  clusterClaimResource,
  clusterDeploymentResource,
  clusterPoolResource,
  roleBindingResource,
  roleResource,
  secretResource,
} from "../../../src/api/resources.js";
import { POOL_LABEL, TEMPLATE_HASH_ANNOTATION } from "../../../src/pools/index.js";
import { clusterClaim } from "../../builders/cluster-claim.js";
import {
  markClusterProvisionedForTest,
  releaseClusterDeletionForTest,
} from "../../builders/cluster-deployment.js";
import { clusterPool } from "../../builders/cluster-pool.js";
import { eventually } from "../../harness/eventually.js";
import { kubectl, kubectlOk, newNamespaces } from "../../harness/hub.js";
import {
  condition,
  getClaim,
  getPool,
  poolClusters,
  startPoolControllers,
  unclaimed,
} from "../../harness/pool-harness.js";

let manager: Manager;
let client: KubeClient;
let namespaces: Record<(typeof testNamespaces)[number], string>;
const testNamespaces = [
  "pool-basic",
  "pool-scale",
  "pool-forged",
  "pool-delete",
  "pool-late",
  "pool-budget",
  "pool-fields",
] as const;

beforeAll(async () => {
  namespaces = await newNamespaces(testNamespaces);
  ({ manager, client } = await startPoolControllers(Object.values(namespaces)));
});

afterAll(async () => {
  await manager?.stop();
  client?.close();
});

/** Marks every not-yet-provisioned cluster of the pool provisioned, in its desired power state. */
async function provisionAll(
  namespace: string,
  pool: string,
  options: { holdDeletion?: boolean } = {},
): Promise<ClusterDeployment[]> {
  const cds = await poolClusters(client, namespace, pool);
  for (const cd of cds)
    if (!cd.status?.provisionedAt && !cd.metadata.deletionTimestamp)
      await markClusterProvisionedForTest(client, cd, options);
  return cds;
}

describe("ClusterPool and ClusterClaim controllers", () => {
  it("keeps size clusters, runningCount of them Running, and hands the running one to a claim", async () => {
    const ns = namespaces["pool-basic"];
    await client.create(
      clusterPoolResource,
      clusterPool("dev", ns, { size: 2, runningCount: 1, labels: { team: "platform" } }),
    );

    const cds = await eventually("two pool clusters", async () => {
      const list = await poolClusters(client, ns, "dev");
      return list.length === 2 && list;
    });
    expect(cds.map((cd) => cd.spec.powerState).sort()).toEqual(["Hibernating", "Running"]);
    for (const cd of cds) {
      expect(cd.metadata.name).toMatch(/^dev-[a-z0-9]{5}$/);
      expect(cd.spec.clusterName).toBe(cd.metadata.name);
      expect(cd.spec.clusterPoolRef).toEqual({ namespace: ns, poolName: "dev" });
      expect(cd.metadata.labels).toMatchObject({ [POOL_LABEL]: "dev", team: "platform" });
      expect(cd.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
      expect(cd.metadata.ownerReferences ?? []).toEqual([]);
    }
    const running = cds.find((cd) => cd.spec.powerState === "Running")!;

    await provisionAll(ns, "dev");
    const ready = await eventually("pool Ready", async () => {
      const pool = await getPool(client, ns, "dev");
      return condition(pool, "Ready")?.status === "True" && pool;
    });
    expect(ready.status).toMatchObject({ size: 2, ready: 1, standby: 1, installing: 0, claimed: 0 });
    expect(condition(ready, "CapacityAvailable")?.status).toBe("True");
    expect(condition(ready, "AllClustersCurrent")?.status).toBe("True");

    await client.create(
      clusterClaimResource,
      clusterClaim("alice", ns, "dev", {
        subjects: [
          { kind: "User", name: "alice@example.com" },
          { kind: "ServiceAccount", name: "ci", namespace: ns },
        ],
      }),
    );
    const claim = await eventually("claim Ready", async () => {
      const c = await getClaim(client, ns, "alice");
      return condition(c, "Ready")?.status === "True" && c;
    });
    expect(claim.status?.clusterDeploymentRef).toEqual({ namespace: ns, name: running.metadata.name });
    expect(claim.status?.kubeconfigSecretRef).toEqual({ name: "alice-kubeconfig" });
    expect(claim.status?.assignedAt).toBeTruthy();
    expect(condition(claim, "Pending")).toMatchObject({ status: "False", reason: "ClusterAssigned" });
    expect(condition(claim, "ClusterRunning")).toMatchObject({ status: "True", reason: "Running" });

    const secret = await client.get<{ data?: Record<string, string> } & KubeObject>(
      secretResource,
      ns,
      "alice-kubeconfig",
    );
    expect(Buffer.from(secret.data!.kubeconfig!, "base64").toString()).toContain(
      `https://${running.metadata.name}.test:6443`,
    );
    expect(secret.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "ClusterClaim",
      name: "alice",
      controller: true,
    });
    const role = await client.get<{ rules: unknown[] } & KubeObject>(
      roleResource,
      ns,
      "alice-kubeconfig-reader",
    );
    expect(role.rules).toEqual([
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["alice-kubeconfig"], verbs: ["get"] },
    ]);
    const binding = await client.get<{ subjects: unknown[] } & KubeObject>(
      roleBindingResource,
      ns,
      "alice-kubeconfig-reader",
    );
    expect(binding.subjects).toEqual([
      { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice@example.com" },
      { kind: "ServiceAccount", name: "ci", namespace: ns },
    ]);
    // The subjects can read exactly that Secret.
    expect(
      (
        await kubectlOk([
          "auth",
          "can-i",
          "get",
          "secret/alice-kubeconfig",
          "-n",
          ns,
          "--as",
          "alice@example.com",
        ])
      ).trim(),
    ).toBe("yes");
    expect(
      (
        await kubectl(["auth", "can-i", "get", "secret/other", "-n", ns, "--as", "alice@example.com"])
      ).stdout.trim(),
    ).toBe("no");

    // A replacement keeps two unclaimed clusters; the hibernating one is resumed to keep one running.
    const replaced = await eventually("a replacement cluster", async () => {
      const list = await poolClusters(client, ns, "dev");
      return list.length === 3 && unclaimed(list).length === 2 && list;
    });
    const claimedCd = replaced.find((cd) => cd.spec.clusterPoolRef?.claimName === "alice")!;
    expect(claimedCd.metadata.name).toBe(running.metadata.name);
    expect(unclaimed(replaced).filter((cd) => cd.spec.powerState === "Running")).toHaveLength(1);

    await client.delete(clusterClaimResource, ns, "alice");
    await eventually("the claimed cluster deleted", async () => {
      const list = await poolClusters(client, ns, "dev");
      return !list.some((cd) => cd.metadata.name === running.metadata.name) && list;
    });
  });

  it("scales through the scale subresource", async () => {
    const ns = namespaces["pool-scale"];
    await client.create(clusterPoolResource, clusterPool("scaled", ns, { size: 1 }));
    await eventually("one cluster", async () => (await poolClusters(client, ns, "scaled")).length === 1);
    await kubectlOk(["scale", "cp/scaled", "--replicas=3", "-n", ns]);
    expect((await getPool(client, ns, "scaled")).spec.size).toBe(3);
    await eventually("three clusters", async () => (await poolClusters(client, ns, "scaled")).length === 3);
    await provisionAll(ns, "scaled");
    const pool = await eventually("status.size 3", async () => {
      const p = await getPool(client, ns, "scaled");
      return p.status?.size === 3 && condition(p, "Ready")?.status === "True" && p;
    });
    expect(pool.status).toMatchObject({ standby: 3, installing: 0 });
    expect((await kubectlOk(["get", "cp/scaled", "-n", ns, "-o", "jsonpath={.status.size}"])).trim()).toBe(
      "3",
    );
  });

  it("ignores a ClusterDeployment that names it in a hand-written clusterPoolRef: never counted, claimed or deleted", async () => {
    const ns = namespaces["pool-forged"];
    // A copy of a pool cluster's manifest, as `kubectl get -o yaml` would give: the pool's label, annotation and ref.
    await client.create(clusterDeploymentResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterDeployment",
      metadata: { name: "copied", namespace: ns, labels: { [POOL_LABEL]: "dev" } },
      spec: {
        clusterName: "copied",
        platform: { simulated: { version: "1.36" } },
        clusterPoolRef: { namespace: ns, poolName: "dev" },
      },
    } as never);
    await client.create(clusterPoolResource, clusterPool("dev", ns, { size: 1, runningCount: 1 }));
    const own = await eventually("the pool's own cluster", async () => {
      const list = (await poolClusters(client, ns, "dev")).filter((cd) => cd.metadata.name !== "copied");
      return list.length === 1 && list;
    });
    await provisionAll(ns, "dev");
    const pool = await eventually("pool Ready with one cluster", async () => {
      const p = await getPool(client, ns, "dev");
      return condition(p, "Ready")?.status === "True" && p;
    });
    expect(pool.status?.size).toBe(1);
    await client.create(clusterClaimResource, clusterClaim("alice", ns, "dev"));
    const claim = await eventually("claim Ready", async () => {
      const c = await getClaim(client, ns, "alice");
      return condition(c, "Ready")?.status === "True" && c;
    });
    expect(claim.status?.clusterDeploymentRef?.name).toBe(own[0]!.metadata.name);
    const copied = await client.get<ClusterDeployment>(clusterDeploymentResource, ns, "copied");
    expect(copied.metadata.deletionTimestamp).toBeUndefined();
    expect(copied.spec.clusterPoolRef?.claimName).toBeUndefined();
  });

  it("deletes its unclaimed clusters when it is deleted, and leaves the claimed one to its claim", async () => {
    const ns = namespaces["pool-delete"];
    await client.create(clusterPoolResource, clusterPool("gone", ns, { size: 2, runningCount: 1 }));
    await eventually("two clusters", async () => (await poolClusters(client, ns, "gone")).length === 2);
    await provisionAll(ns, "gone");
    // Claim once the pool has seen both installs finish, so the claim gets the running cluster (no cluster
    // controller runs here to resume a hibernating one).
    await eventually(
      "pool Ready",
      async () => condition(await getPool(client, ns, "gone"), "Ready")?.status === "True",
    );
    await client.create(clusterClaimResource, clusterClaim("keeper", ns, "gone"));
    const claim = await eventually("claim Ready", async () => {
      const c = await getClaim(client, ns, "keeper");
      return condition(c, "Ready")?.status === "True" && c;
    });
    const claimed = claim.status!.clusterDeploymentRef!.name;

    await client.delete(clusterPoolResource, ns, "gone");
    const left = await eventually("only the claimed cluster left, and the pool gone", async () => {
      const list = await poolClusters(client, ns, "gone");
      const pool = await client.getIfExists(clusterPoolResource, ns, "gone");
      return !pool && list.length === 1 && list;
    });
    expect(left[0]!.metadata.name).toBe(claimed);
    expect(condition(await getClaim(client, ns, "keeper"), "Ready")?.status).toBe("True");
  });

  it("keeps a claim for a missing pool Pending and binds it (resuming a hibernated cluster) once the pool appears", async () => {
    const ns = namespaces["pool-late"];
    await client.create(clusterClaimResource, clusterClaim("early", ns, "late", { lifetime: "2h" }));
    const pending = await eventually("claim PoolNotFound", async () => {
      const c = await getClaim(client, ns, "early");
      return condition(c, "Pending")?.reason === "PoolNotFound" && c;
    });
    expect(condition(pending, "Pending")).toMatchObject({
      status: "True",
      message: expect.stringContaining("does not exist"),
    });
    expect(condition(pending, "Ready")?.status).toBe("False");

    // runningCount 0 but a claim is pending: the pool runs one cluster for it.
    await client.create(
      clusterPoolResource,
      clusterPool("late", ns, { size: 1, runningCount: 0, claimLifetime: { default: "30m", maximum: "1h" } }),
    );
    const waiting = await eventually("claim NoClusters", async () => {
      const c = await getClaim(client, ns, "early");
      return condition(c, "Pending")?.reason === "NoClusters" && c;
    });
    expect(condition(waiting, "Pending")?.status).toBe("True");
    const [first] = await eventually("one cluster", async () => {
      const list = await poolClusters(client, ns, "late");
      return list.length >= 1 && list;
    });
    // Installing clusters are never assigned; pretend it finished installing hibernated so the claim resumes it.
    await markClusterProvisionedForTest(client, first!, { powerState: "Hibernating" });
    const resuming = await eventually("claim bound and resuming", async () => {
      const c = await getClaim(client, ns, "early");
      return condition(c, "ClusterRunning")?.reason === "Resuming" && c;
    });
    expect(resuming.status?.clusterDeploymentRef?.name).toBe(first!.metadata.name);
    expect(condition(resuming, "Pending")).toMatchObject({ status: "False", reason: "ClusterAssigned" });
    expect(condition(resuming, "ClusterRunning")?.message).toContain("resuming");
    // Lifetime: the claim's 2h cut to the pool's maximum (1h).
    const assigned = new Date(resuming.status!.assignedAt!).getTime();
    expect(new Date(resuming.status!.expiresAt!).getTime() - assigned).toBe(3_600_000);

    const bound = (await poolClusters(client, ns, "late")).find(
      (cd) => cd.metadata.name === first!.metadata.name,
    )!;
    expect(bound.spec.powerState).toBe("Running");
    await markClusterProvisionedForTest(client, bound, { powerState: "Running" });
    await eventually(
      "claim Ready",
      async () => condition(await getClaim(client, ns, "early"), "Ready")?.status === "True",
    );
  });

  it("never has more than maxConcurrent clusters installing or deleting", async () => {
    const ns = namespaces["pool-budget"];
    let maxInFlight = 0;
    let observing = true;
    const observer = (async () => {
      while (observing) {
        const list = await poolClusters(client, ns, "budget");
        const inFlight = list.filter(
          (cd) => cd.metadata.deletionTimestamp || !cd.status?.provisionedAt,
        ).length;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await client.create(clusterPoolResource, clusterPool("budget", ns, { size: 4, maxConcurrent: 2 }));
    await eventually("two installing", async () => (await poolClusters(client, ns, "budget")).length === 2);
    // Give the controller time to (wrongly) start more before anything finishes.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await poolClusters(client, ns, "budget")).toHaveLength(2);
    const installing = await getPool(client, ns, "budget");
    expect(installing.status?.installing).toBe(2);

    await eventually("all four provisioned", async () => {
      const list = await provisionAll(ns, "budget", { holdDeletion: true });
      return list.length === 4 && list.every((cd) => cd.status?.provisionedAt) && list;
    });

    // Scale down to 1: three are excess, but only two deletions may be in flight.
    await kubectlOk(["scale", "cp/budget", "--replicas=1", "-n", ns]);
    const deleting = await eventually("two deletions in flight", async () => {
      const list = await poolClusters(client, ns, "budget");
      return list.filter((cd) => cd.metadata.deletionTimestamp).length === 2 && list;
    });
    await new Promise((r) => setTimeout(r, 2_500));
    expect(
      (await poolClusters(client, ns, "budget")).filter((cd) => cd.metadata.deletionTimestamp),
    ).toHaveLength(2);
    for (const cd of deleting.filter((c) => c.metadata.deletionTimestamp))
      await releaseClusterDeletionForTest(client, cd);

    const left = await eventually("one cluster left", async () => {
      const list = await poolClusters(client, ns, "budget");
      const third = list.find((cd) => cd.metadata.deletionTimestamp);
      if (third) await releaseClusterDeletionForTest(client, third);
      return list.length === 1 && list;
    });
    expect(left).toHaveLength(1);
    observing = false;
    await observer;
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(maxInFlight).toBe(2);
  });

  it("acts on a template's hibernation and the pool's hibernateAfter: no FieldsNotActedOn for them", async () => {
    const ns = namespaces["pool-fields"];
    await client.create(
      clusterPoolResource,
      clusterPool("sleepy", ns, {
        size: 0,
        hibernateAfter: "2h",
        template: {
          platform: { simulated: { version: "1.36" } },
          hibernation: { schedules: [{ start: "0 20 * * *" }] },
        },
      }),
    );
    const pool = await eventually("the pool evaluated", async () => {
      const p = await getPool(client, ns, "sleepy");
      return condition(p, "Ready")?.status === "True" && p;
    });
    expect(condition(pool, "FieldsNotActedOn")).toBeUndefined();
  });
});
