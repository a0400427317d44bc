import { describe, expect, it } from "vitest";
import type { ClusterDeployment, StackStatus } from "../../src/api/index.js";
import { clusterDeploymentResource } from "../../src/api/resources.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { simulatedClusterManifest } from "../builders/cluster-deployment.js";
import { deleteClustersThenStop, slipwayUnderTest } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { hubKubeConfig, kubectlOk, newNamespace } from "../harness/hub.js";

/*
 * Transient means retry, however long it lasts. The old budget was 5 attempts, then `Stalled ... change the spec
 * to try again`. A failure the error table calls transient, repeated 7 times, must be retried until it passes,
 * with the real cause and the next attempt's time in status meanwhile, and the cluster must converge without
 * anybody touching the spec. The backoff is shortened for the test (1 s doubling to 2 s); the defaults are
 * 5 s doubling to 5 min.
 */
describe("transient failures on the real controller, worker, hub and Pulumi CLI", () => {
  it(
    "an up failing 7 times for a transient cause is retried until the cluster is Ready, showing the cause",
    { timeout: 240_000 },
    async () => {
      const sut = await slipwayUnderTest("transient", {
        SLIPWAY_LEADER_ELECTION: "false",
        SLIPWAY_JOB_BACKOFF_MS: "1000",
        SLIPWAY_JOB_BACKOFF_CAP_MS: "2000",
      });
      const ns = await newNamespace("transient");
      const kube = new KubeClient(hubKubeConfig());
      try {
        sut.controller();
        sut.worker();
        const manifest = simulatedClusterManifest("flaky", { provisionSeconds: 0 });
        manifest.spec.platform.simulated = {
          ...manifest.spec.platform.simulated,
          failures: [
            {
              phase: "Provision",
              mode: "Transient",
              attempts: 7,
              message: "the cloud API throttled us (429)",
            },
          ],
        } as never;
        await kubectlOk(["apply", "-n", ns, "-f", "-"], { input: JSON.stringify(manifest) });

        const messages = new Set<string>();
        let stalled: string | undefined;
        const ready = await eventually(
          "Ready after 7 transient failures",
          async () => {
            const cd = await kube.get<ClusterDeployment>(clusterDeploymentResource, ns, "flaky");
            const conditions = cd.status?.conditions as never;
            const reconciling = getCondition(conditions, "Reconciling");
            if (reconciling?.status === "True") messages.add(reconciling.message ?? "");
            const stall = getCondition(conditions, "Stalled");
            if (stall?.status === "True") stalled ??= stall.message;
            return getCondition(conditions, "Ready")?.status === "True" ? cd : undefined;
          },
          200_000,
          100,
        );

        expect(stalled, "a transient failure must never stall the cluster").toBeUndefined();
        const op = ready.status?.stack as StackStatus | undefined;
        expect(op).toMatchObject({ type: "up", generation: 1, result: "Succeeded" });
        expect(op?.jobId).toBe(`${ready.metadata!.uid}.g1.up`); // one job, retried: no spec change, no new job
        expect(ready.metadata?.generation).toBe(1);

        // While it retried, status said which attempt failed, why (the real cause) and when the next one starts.
        const retrying = [...messages]
          .map((m) =>
            /attempt (\d+) failed: SimulatedTransientFailure: .*the cloud API throttled us \(429\); retrying at (\S+)/.exec(
              m,
            ),
          )
          .filter((m) => m !== null);
        expect(retrying.length, [...messages].join("\n")).toBeGreaterThan(0);
        for (const m of retrying) expect(Number.isNaN(Date.parse(m[2]!))).toBe(false);
        const attempts = retrying.map((m) => Number(m[1]));
        // Past the old budget of 5 attempts.
        expect(Math.max(...attempts), [...messages].join("\n")).toBeGreaterThan(5);
        console.log(`transient retry: status showed failed attempts ${[...new Set(attempts)].join(", ")}`);
      } finally {
        await deleteClustersThenStop(sut, ns);
      }
    },
  );
});
