import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { ClusterDeployment, ClusterPool } from "../../src/api/index.js";
import { clusterDeploymentResource, clusterPoolResource } from "../../src/api/resources.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { slipwayUnderTest } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { hubKubeConfig, kubectlOk } from "../harness/hub.js";

/*
 * A pool whose template can never provision must not churn (create and delete clusters in a loop): it stops
 * creating, says why in its clusters' own words, and resumes by itself once the missing dependency exists.
 * Real hub, Redis, controller (ClusterDeployment + pool controllers), worker and Pulumi CLI.
 */
describe("a pool never churns", () => {
  it(
    "stops at the clusters it made while its credentials Secret is missing, then fills once it exists",
    { timeout: 180_000 },
    async () => {
      const sut = await slipwayUnderTest("pool-churn", { SLIPWAY_LEADER_ELECTION: "false" });
      const ns = sut.namespace;
      const client = new KubeClient(hubKubeConfig());
      const clusters = async () =>
        (await client.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns })).items;
      try {
        sut.controller();
        sut.worker();
        await kubectlOk(["apply", "-n", ns, "-f", "-"], {
          input: JSON.stringify({
            apiVersion: "slipway.dev/v1alpha1",
            kind: "ClusterPool",
            metadata: { name: "creds" },
            spec: {
              size: 2,
              runningCount: 2,
              template: {
                registration: { enabled: false },
                platform: {
                  simulated: { provisionSeconds: 0, credentialsRef: { name: "sim-creds" } },
                },
              },
            },
          }),
        });
        const pool = await eventually(
          "the pool says its template cannot provision, with the clusters' reason",
          async () => {
            const p = await client.get<ClusterPool>(clusterPoolResource, ns, "creds");
            const populated = getCondition(p.status?.conditions as never, "Populated");
            return populated?.reason === "TemplateCannotProvision" ? populated : undefined;
          },
          60_000,
        );
        expect(pool.message).toContain("CredentialsSecretMissing");
        expect(pool.message).toContain("sim-creds");

        // Over the next passes the pool neither creates nor deletes: the same two clusters stay.
        const first = (await clusters()).map((cd) => cd.metadata.uid).sort();
        expect(first).toHaveLength(2);
        await sleep(15_000);
        const later = await clusters();
        expect(later.map((cd) => cd.metadata.uid).sort()).toEqual(first);
        expect(later.every((cd) => !cd.metadata.deletionTimestamp)).toBe(true);

        await kubectlOk(["create", "secret", "generic", "sim-creds", "-n", ns, "--from-literal=token=t0ken"]);
        await eventually(
          "the pool Ready once the Secret exists, with the clusters it already had",
          async () => {
            const p = await client.get<ClusterPool>(clusterPoolResource, ns, "creds");
            return getCondition(p.status?.conditions as never, "Ready")?.status === "True";
          },
          90_000,
        );
        expect((await clusters()).map((cd) => cd.metadata.uid).sort()).toEqual(first);
      } finally {
        await kubectlOk(["delete", "clusterpool", "creds", "-n", ns, "--wait=false"]).catch(() => undefined);
        await eventually(
          "the pool's clusters deleted",
          async () => (await clusters()).length === 0,
          60_000,
        ).catch(() => undefined);
        await sut.stopAll();
        client.close();
      }
    },
  );
});
