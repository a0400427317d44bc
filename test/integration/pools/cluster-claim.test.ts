import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runClaim } from "../../../src/cli/claim.js";
import type { KubeClient } from "../../../src/runtime/kube-client.js";
import type { Manager } from "../../../src/runtime/manager.js";
import { clusterClaimResource, clusterPoolResource } from "../../../src/api/resources.js";
import { clusterClaim } from "../../builders/cluster-claim.js";
import { markClusterProvisionedForTest } from "../../builders/cluster-deployment.js";
import { clusterPool } from "../../builders/cluster-pool.js";
import { eventually } from "../../harness/eventually.js";
import { newNamespaces } from "../../harness/hub.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";
import {
  condition,
  getClaim,
  poolClusters,
  startPoolControllers,
  unclaimed,
} from "../../harness/pool-harness.js";

let manager: Manager;
let client: KubeClient;
let namespaces: Record<(typeof testNamespaces)[number], string>;
const testNamespaces = ["claim-expiry", "claim-cli"] as const;
const tempFolder = temporaryFolders("slipway-claim-");

beforeAll(async () => {
  namespaces = await newNamespaces(testNamespaces);
  ({ manager, client } = await startPoolControllers(Object.values(namespaces)));
});

afterAll(async () => {
  await manager?.stop();
  client?.close();
});

describe("ClusterClaim", () => {
  it("is deleted with its cluster once it expires", async () => {
    const ns = namespaces["claim-expiry"];
    await client.create(clusterPoolResource, clusterPool("short", ns, { size: 1, runningCount: 1 }));
    const [cd] = await eventually("a pool cluster", async () => {
      const list = await poolClusters(client, ns, "short");
      return list.length === 1 && list;
    });
    await markClusterProvisionedForTest(client, cd!);
    await client.create(clusterClaimResource, clusterClaim("brief", ns, "short", { lifetime: "1h" }));
    const bound = await eventually("claim Ready", async () => {
      const c = await getClaim(client, ns, "brief");
      return condition(c, "Ready")?.status === "True" && c;
    });
    expect(new Date(bound.status!.expiresAt!).getTime() - new Date(bound.status!.assignedAt!).getTime()).toBe(
      3_600_000,
    );

    // Move the assignment two hours back instead of waiting an hour.
    const past = (ms: number) => new Date(Date.now() - ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    await client.patch(
      clusterClaimResource,
      ns,
      "brief",
      { status: { assignedAt: past(7_200_000), expiresAt: past(3_600_000) } },
      { type: "merge", subresource: "status" },
    );

    await eventually(
      "the claim deleted",
      async () => (await client.getIfExists(clusterClaimResource, ns, "brief")) === undefined,
    );
    await eventually("its cluster deleted and replaced", async () => {
      const list = await poolClusters(client, ns, "short");
      return !list.some((c) => c.metadata.name === cd!.metadata.name) && unclaimed(list).length === 1;
    });
  });

  it("slipway claim --wait reports progress and writes the kubeconfig", async () => {
    const ns = namespaces["claim-cli"];
    await client.create(clusterPoolResource, clusterPool("cli", ns, { size: 1, runningCount: 0 }));
    const dir = tempFolder();
    const out = join(dir, "kubeconfig");
    const lines: string[] = [];
    const claiming = runClaim(client, {
      pool: "cli",
      namespace: ns,
      name: "bob",
      wait: true,
      kubeconfigOut: out,
      timeoutMs: 60_000,
      pollMs: 200,
      print: (l) => lines.push(l),
    });

    // Play the cluster side: install finishes hibernated, then the resume the claim asked for finishes.
    const [cd] = await eventually("a pool cluster", async () => {
      const list = await poolClusters(client, ns, "cli");
      return list.length >= 1 && list;
    });
    await markClusterProvisionedForTest(client, cd!, { powerState: "Hibernating" });
    const resumed = await eventually("the claimed cluster asked to run", async () => {
      const list = await poolClusters(client, ns, "cli");
      const claimed = list.find((c) => c.spec.clusterPoolRef?.claimName === "bob");
      return claimed?.spec.powerState === "Running" && claimed;
    });
    await eventually("the claim reports resuming", async () => lines.some((l) => l.includes("resuming")));
    await markClusterProvisionedForTest(client, resumed, { powerState: "Running" });

    expect(await claiming).toBe(0);
    expect(lines[0]).toBe(`clusterclaim ${ns}/bob created (pool cli)`);
    expect(lines.some((l) => l.startsWith("pending (NoClusters)"))).toBe(true);
    expect(lines.at(-1)).toBe(`kubeconfig written to ${out}`);
    expect(await readFile(out, "utf8")).toContain(`https://${cd!.metadata.name}.test:6443`);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
  });
});
