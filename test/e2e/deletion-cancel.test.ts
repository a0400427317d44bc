import { describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../src/api/index.js";
import { clusterDeploymentResource } from "../../src/api/resources.js";
import { stackNameFor } from "../../src/queue/stack-job.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { simulatedClusterManifest } from "../builders/cluster-deployment.js";
import { clusterClaim } from "../builders/cluster-claim.js";
import { clusterPool } from "../builders/cluster-pool.js";
import { slipwayUnderTest, stacksIn } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { applyIn, hubKubeConfig, kubectl, kubectlOk } from "../harness/hub.js";

/*
 * A delete cancels the long operation it meets (issue "guard rails", class 5): as Hive kills the install pod and
 * deprovisions, a ClusterDeployment deleted during a long provision, a pool scaled down during one, and a claim
 * released while its cluster resumes have the running Pulumi operation cancelled (SIGINT to the CLI, the provider's
 * in-flight step ended), its checkpoint destroyed and the resource released within seconds, never run again.
 * Real hub, Redis, worker, Pulumi; the simulated platform's 600 s phases stand for a day-long cloud operation.
 */

const condition = (cd: ClusterDeployment | undefined, type: string) =>
  getCondition(cd?.status?.conditions as never, type);

describe("a delete cancels the operation it meets", () => {
  it(
    "a delete during a long provision cancels it at once: CancellingForDelete meanwhile, the stack destroyed, the up never run again",
    { timeout: 150_000 },
    async () => {
      const sut = await slipwayUnderTest("delete-running", { SLIPWAY_LEADER_ELECTION: "false" });
      const ns = sut.namespace;
      const client = new KubeClient(hubKubeConfig());
      const get = () => client.getIfExists<ClusterDeployment>(clusterDeploymentResource, ns, "slow");
      try {
        sut.controller();
        const worker = sut.worker();
        // A provision of 10 minutes: on main before, its delete waited for all of it.
        await applyIn(ns, simulatedClusterManifest("slow", { provisionSeconds: 600 }));
        const running = await eventually(
          "the control plane's create running",
          async () => {
            const cd = await get();
            return cd?.status?.stack?.progress?.currentStep?.includes("ControlPlane") ? cd : undefined;
          },
          60_000,
        );
        const upJob = running!.status!.stack!.jobId;
        const started = Date.now();
        await kubectlOk(["delete", "-n", ns, "cd/slow", "--wait=false"]);
        let cancelling: string | undefined;
        await eventually(
          "slow gone",
          async () => {
            const cd = await get();
            const ready = condition(cd, "Ready");
            if (ready?.reason === "CancellingForDelete") cancelling ??= ready.message;
            return !cd;
          },
          60_000,
          100,
        );
        const seconds = (Date.now() - started) / 1000;
        console.log(`delete during a 600 s provision: gone after ${seconds.toFixed(1)} s`);
        expect(seconds).toBeLessThan(45);
        expect(cancelling).toMatch(
          new RegExp(
            `^cancelling the running up for generation 1 \\(running since \\S+, job ${upJob}\\); it ends by \\S+; destroy follows$`,
          ),
        );
        expect(stacksIn(sut.stateDir)).toEqual([]);
        // The up ran once, was cancelled for good (never retried), and the destroy removed what it recorded.
        const log = worker.log();
        expect(log.match(/Running up for generation/g)).toHaveLength(1);
        expect(log).toMatch(/Running destroy for generation \d+/);
        expect(log).toMatch(/"msg":"Job failed: Cancelled: the ClusterDeployment [^"]+ is being deleted"/);
      } finally {
        await sut.stopAll();
        client.close();
      }
    },
  );

  it(
    "a pool scaled down during a provision deletes its cluster at once, through the same cancel",
    { timeout: 150_000 },
    async () => {
      const sut = await slipwayUnderTest("delete-pool", { SLIPWAY_LEADER_ELECTION: "false" });
      const ns = sut.namespace;
      const client = new KubeClient(hubKubeConfig());
      const list = async () =>
        (await client.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns })).items;
      try {
        sut.controller();
        const worker = sut.worker();
        const simulated = { provisionSeconds: 600, hibernateSeconds: 0, resumeSeconds: 0, destroySeconds: 0 };
        await applyIn(
          ns,
          clusterPool("slow", ns, { size: 1, template: { platform: { simulated } } as never }),
        );
        await eventually(
          "the pool's cluster provisioning",
          async () =>
            (await list()).some((cd) => cd.status?.stack?.progress?.currentStep?.includes("ControlPlane")),
          60_000,
        );
        const started = Date.now();
        await kubectlOk(["patch", "-n", ns, "clusterpool/slow", "--type=merge", "-p", '{"spec":{"size":0}}']);
        await eventually("the pool's cluster gone", async () => (await list()).length === 0, 60_000);
        const seconds = (Date.now() - started) / 1000;
        console.log(
          `pool scaled down during a 600 s provision: its cluster gone after ${seconds.toFixed(1)} s`,
        );
        expect(seconds).toBeLessThan(45);
        expect(stacksIn(sut.stateDir)).toEqual([]);
        expect(worker.log().match(/Running up for generation/g)).toHaveLength(1);
      } finally {
        await sut.stopAll();
        client.close();
      }
    },
  );

  it(
    "a claim released while its cluster resumes gets the cluster deleted at once, through the same cancel",
    { timeout: 150_000 },
    async () => {
      const sut = await slipwayUnderTest("delete-claim", { SLIPWAY_LEADER_ELECTION: "false" });
      const ns = sut.namespace;
      const client = new KubeClient(hubKubeConfig());
      const list = async () =>
        (await client.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns })).items;
      try {
        sut.controller();
        sut.worker();
        // Clusters provision at once and sleep; waking one takes 10 minutes.
        const simulated = { provisionSeconds: 0, hibernateSeconds: 0, resumeSeconds: 600, destroySeconds: 0 };
        await applyIn(
          ns,
          clusterPool("sleepy", ns, { size: 1, template: { platform: { simulated } } as never }),
        );
        await eventually(
          "the pool's cluster hibernating",
          async () => (await list()).some((cd) => cd.status?.powerState === "Hibernating"),
          60_000,
        );
        await applyIn(ns, clusterClaim("wants-one", ns, "sleepy"));
        const resuming = await eventually(
          "the claimed cluster resuming",
          async () =>
            (await list()).find(
              (cd) =>
                cd.spec.clusterPoolRef?.claimName === "wants-one" &&
                cd.status?.powerState === "Starting" &&
                cd.status?.stack?.progress?.currentStep?.includes("ControlPlane"),
            ),
          60_000,
        );
        const name = resuming!.metadata.name!;
        const started = Date.now();
        await kubectlOk(["delete", "-n", ns, "clusterclaim/wants-one", "--wait=false"]);
        await eventually(
          "the released cluster gone",
          async () => !(await list()).some((cd) => cd.metadata.name === name),
          60_000,
        );
        const seconds = (Date.now() - started) / 1000;
        console.log(`claim released during a 600 s resume: its cluster gone after ${seconds.toFixed(1)} s`);
        expect(seconds).toBeLessThan(45);
        expect(stacksIn(sut.stateDir)).not.toContain(
          stackNameFor({ namespace: ns, name, uid: resuming!.metadata.uid! }),
        );
      } finally {
        await kubectl(["delete", "namespace", ns, "--wait=false"]);
        await sut.stopAll();
        client.close();
      }
    },
  );
});
