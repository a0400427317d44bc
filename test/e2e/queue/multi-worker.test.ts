import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import { clusterDeploymentResource } from "../../../src/api/resources.js";
import { overlappingRuns, type StackRun } from "../../../src/bench/bench-workers.js";
import { stackNameFor } from "../../../src/queue/stack-job.js";
import { getCondition } from "../../../src/runtime/conditions.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { simulatedClusterManifest } from "../../builders/cluster-deployment.js";
import { ComponentProcess, slipwayUnderTest, type SlipwayUnderTest } from "../../harness/components.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, kubectlOk } from "../../harness/hub.js";
import { startS3, type StateBackend } from "../../harness/state-backends.js";

/*
 * Workers on two "machines": two `slipway worker` processes, each in its own UTS namespace with its own host name
 * and its own state folder, share one Redis and the S3 state backend (moto). Ten simulated clusters: both workers
 * take some, every cluster converges, and the stack history in the bucket shows one create per stack and no two
 * updates of a stack at once. `slipway bench workers` measures the throughput with 1, 2 and 3 workers.
 */

const CLUSTERS = 10;

describe("two workers on two hosts sharing Redis and an S3 backend", () => {
  let s3: StateBackend;
  let sut: SlipwayUnderTest;
  let kube: KubeClient;
  const workers: ComponentProcess[] = [];

  beforeAll(async () => {
    s3 = await startS3();
    sut = await slipwayUnderTest("e2e-multi-worker", {
      SLIPWAY_LEADER_ELECTION: "false",
      SLIPWAY_PULUMI_BACKEND_URL: s3.backendUrl,
      SLIPWAY_PULUMI_PASSPHRASE: randomBytes(12).toString("hex"),
      ...s3.env,
    });
    sut.controller();
    for (const host of ["mw-host-a", "mw-host-b"]) {
      const stateDir = join(sut.stateDir, host);
      workers.push(
        new ComponentProcess(
          "worker",
          { ...sut.env, SLIPWAY_STATE_DIR: stateDir },
          join(sut.stateDir, "logs", `${host}.log`),
          [
            "unshare",
            "--uts",
            "--",
            "sh",
            "-c",
            'mkdir -p "$1" && hostname "$0" && shift && exec "$@"',
            host,
            stateDir,
          ],
        ).start(),
      );
    }
    // Both workers take jobs before any cluster is applied: otherwise a host that a loaded machine starts slowly
    // can find every job already taken by the other, and the case's "both hosts took work" fails.
    await eventually("both workers started", () =>
      workers.every((worker) => worker.log().includes('"msg":"Worker started"')),
    );
    kube = new KubeClient(hubKubeConfig());
  });

  afterAll(async () => {
    // Simulated clusters hold nothing on this machine, and the bucket goes with moto: no destroy needed.
    await Promise.all(workers.map((w) => w.stop()));
    await sut?.stopAll();
    await s3?.stop();
  });

  /** Every finished update of the stack the bucket's history records. */
  async function history(stack: string) {
    const keys = await s3.listKeys(`.pulumi/history/slipway/${stack}/`);
    const updates = await Promise.all(
      keys.filter((k) => k.endsWith(".history.json")).map((k) => s3.readObject(k)),
    );
    return updates.map(
      (raw) =>
        JSON.parse(raw!) as { startTime: number; endTime: number; resourceChanges?: { create?: number } },
    );
  }

  it("spreads ten clusters over both hosts, each created once, no stack run twice at once", async () => {
    const suffix = sut.namespace.slice(-6);
    for (let i = 0; i < CLUSTERS; i++) {
      const manifest = simulatedClusterManifest(`mw-${i}`, { provisionSeconds: 1 });
      manifest.spec.clusterName = `mw-${i}-${suffix}`;
      await kubectlOk(["apply", "-n", sut.namespace, "-f", "-"], { input: JSON.stringify(manifest) });
    }
    const ready = await eventually(
      `all ${CLUSTERS} Ready`,
      async () => {
        const cds = await Promise.all(
          Array.from({ length: CLUSTERS }, (_, i) =>
            kube.get<ClusterDeployment>(clusterDeploymentResource, sut.namespace, `mw-${i}`),
          ),
        );
        return cds.every(
          (cd) =>
            getCondition(cd.status?.conditions as never, "Ready")?.status === "True" &&
            cd.status?.observedGeneration === cd.metadata.generation,
        )
          ? cds
          : undefined;
      },
      110_000,
      1_000,
    );

    const runs: StackRun[] = [];
    for (const cd of ready) {
      const stack = stackNameFor({
        namespace: cd.metadata.namespace!,
        name: cd.metadata.name!,
        uid: cd.metadata.uid!,
      });
      const updates = await history(stack);
      expect(
        updates.filter((u) => (u.resourceChanges?.create ?? 0) > 0),
        `updates with a create of ${cd.metadata.name}`,
      ).toHaveLength(1);
      runs.push(...updates.map((u) => ({ stack, startedAt: u.startTime, finishedAt: u.endTime })));
    }
    expect(overlappingRuns(runs)).toEqual([]);
    // Both hosts took work: the second is not idle beside the first.
    for (const worker of workers) expect(worker.log()).toMatch(/"Running up for generation 1"/);
  });
});
