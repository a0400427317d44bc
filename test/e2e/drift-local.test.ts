import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../src/api/index.js";
import { clusterDeploymentResource } from "../../src/api/resources.js";
import { getCondition, type Condition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import {
  deleteClustersThenStop,
  processesNaming,
  slipwayUnderTest,
  type ComponentProcess,
  type SlipwayUnderTest,
} from "../harness/components.js";
import { localClusterManifest, simulatedClusterManifest } from "../builders/cluster-deployment.js";
import { eventually } from "../harness/eventually.js";
import { spokeKubectl } from "../harness/spoke.js";
import { hubKubeConfig, kubectlOk } from "../harness/hub.js";

const RESYNC_SECONDS = 3;
/**
 * How long drifty's periodic check takes at most on the loaded 2-core machine. The next refresh is queued at most
 * 1.1 x resync (3.3 s) after the last stack run ended and starts at once: this Slipway's controller reconciles only
 * its own namespace, so its worker runs this file's jobs alone (asserted below). A refresh of a local cluster took
 * 3-4 s alone and at most 21 s with the CPUs busy (load average 16), so even a kill just after a refresh read the
 * processes, found by the refresh after it, stays within 2 x (3.3 + 21) s. This wait was 150 s while the controller
 * adopted every cluster other files left on the shared hub: drifty's refresh queued behind one of each of them for
 * the worker's four Pulumi slots.
 */
const CHECK_MS = 60_000;

describe("drift on the local platform, end to end", () => {
  let sut: SlipwayUnderTest;
  let controller: ComponentProcess;
  let worker: ComponentProcess;
  let kube: KubeClient;
  let ns: string;

  beforeAll(async () => {
    // A short resync so the periodic refresh comes within seconds instead of the default five minutes.
    sut = await slipwayUnderTest("e2e-drift", {
      SLIPWAY_LEADER_ELECTION: "false",
      SLIPWAY_RESYNC_SECONDS: String(RESYNC_SECONDS),
    });
    controller = sut.controller();
    worker = sut.worker();
    kube = new KubeClient(hubKubeConfig());
    ns = sut.namespace;
  });

  afterAll(async () => {
    await deleteClustersThenStop(sut, ns);
  });

  const get = (name: string) => kube.get<ClusterDeployment>(clusterDeploymentResource, ns, name);
  const condition = (cd: ClusterDeployment, type: string) =>
    getCondition(cd.status?.conditions as Condition[], type);

  it(
    "a refresh finds a cluster whose processes died, reports it not Ready, and the next up repairs it with its data",
    // Its waits: Ready, the first refresh, the drift and the repair, each bounded on its own.
    { timeout: 600_000 },
    async () => {
      await kubectlOk(["apply", "-n", ns, "-f", "-"], {
        input: JSON.stringify(localClusterManifest("drifty")),
      });
      const ready = await eventually(
        "drifty Ready",
        async () => {
          const cd = await get("drifty");
          return condition(cd, "Ready")?.status === "True" ? cd : undefined;
        },
        120_000,
      );
      // kubectl get shows the platform and region columns from status.
      const table = await kubectlOk([
        "get",
        "-n",
        ns,
        "cd/drifty",
        "-o",
        "custom-columns=P:.status.platform,R:.status.region",
        "--no-headers",
      ]);
      expect(table.trim()).toMatch(/^local\s+/);

      const spoke = await spokeKubectl(kube, ready, sut.stateDir);
      expect((await spoke(["create", "configmap", "survives-drift", "--from-literal=k=v"])).code).toBe(0);

      // A periodic refresh has run on the healthy cluster and left it Ready.
      await eventually(
        "a refresh of the healthy cluster",
        async () => {
          const cd = await get("drifty");
          const op = cd.status?.stack;
          return (
            op?.type === "refresh" && op.result === "Succeeded" && condition(cd, "Ready")?.status === "True"
          );
        },
        // The first refresh comes one resync after the up that made drifty Ready.
        CHECK_MS,
      );

      const dataDir = join(sut.stateDir, "clusters", `${ns}-drifty-${ready.metadata!.uid!.slice(0, 8)}`);
      const killed = processesNaming(dataDir);
      expect(killed.length).toBeGreaterThanOrEqual(2);
      const killedAt = Date.now();
      for (const pid of killed) process.kill(pid, "SIGKILL");
      expect((await spoke(["get", "ns"])).code).not.toBe(0);

      const noticed = await eventually(
        "drift reported",
        async () => {
          const cd = await get("drifty");
          const r = condition(cd, "Ready");
          return r?.status === "False" && r.reason === "DriftDetected" ? cd : undefined;
        },
        // The kill follows a finished refresh: the next one finds the processes gone.
        CHECK_MS,
        100,
      );
      const noticedMs = Date.now() - killedAt;
      expect(condition(noticed, "Ready")?.message).toContain("Stopped");
      expect(noticed.status?.stack?.jobId).toContain(".repair");
      // What CHECK_MS rests on: no other cluster's job took a Pulumi slot of this worker.
      expect(stackJobsRun(worker.log()).filter((cd) => cd !== `${ns}/drifty`)).toEqual([]);

      const repaired = await eventually(
        "drifty Ready again",
        async () => {
          const cd = await get("drifty");
          return condition(cd, "Ready")?.status === "True" && cd.status?.powerState === "Running"
            ? cd
            : undefined;
        },
        120_000,
      );
      console.log(
        `drift: reported ${(noticedMs / 1000).toFixed(1)}s and repaired ${((Date.now() - killedAt) / 1000).toFixed(1)}s after the kill (resync ${RESYNC_SECONDS}s)`,
      );
      expect(repaired.status?.apiURL).toBe(ready.status?.apiURL);
      const alive = processesNaming(dataDir);
      expect(alive.length).toBeGreaterThanOrEqual(2);
      expect(alive.filter((pid) => killed.includes(pid))).toEqual([]);
      const cm = await spoke(["get", "configmap", "survives-drift", "-o", "jsonpath={.data.k}"]);
      expect(cm.stdout).toBe("v");
      const events = await kubectlOk([
        "get",
        "events",
        "-n",
        ns,
        "--field-selector",
        "involvedObject.name=drifty",
        "-o",
        "jsonpath={.items[*].reason}",
      ]);
      expect(events.split(" ")).toContain("DriftDetected");

      await kubectlOk(["delete", "-n", ns, "cd/drifty", "--timeout=90s"]);
      expect(processesNaming(dataDir)).toEqual([]);
    },
  );
  it("a refresh still waiting for a worker gives way to a spec change", async () => {
    await kubectlOk(["apply", "-n", ns, "-f", "-"], {
      input: JSON.stringify(simulatedClusterManifest("patient", { provisionSeconds: 0 })),
    });
    const ready = await eventually(
      "patient Ready",
      async () => {
        const cd = await get("patient");
        return condition(cd, "Ready")?.status === "True" ? cd : undefined;
      },
      120_000,
    );
    const uid = ready.metadata!.uid!;
    // No worker: the next periodic refresh is queued and waits.
    await worker.stop();
    const waiting = await eventually(
      "a refresh queued",
      async () => {
        const op = (await get("patient")).status?.stack;
        return op?.type === "refresh" && op.result === "InProgress" ? op : undefined;
      },
      30_000,
    );

    await kube.patch(
      clusterDeploymentResource,
      ns,
      "patient",
      { spec: { powerState: "Hibernating" } },
      { type: "merge" },
    );
    const replaced = await eventually(
      "the up for generation 2 queued instead",
      async () => {
        const op = (await get("patient")).status?.stack;
        return op?.type === "up" && op.generation === 2 ? op : undefined;
      },
      30_000,
    );
    expect(replaced.jobId).toBe(`${uid}.g2.up`);
    expect(controller.log()).toContain("Withdrew a waiting refresh");

    worker = sut.worker();
    const hibernated = await eventually(
      "patient Hibernating",
      async () => {
        const cd = await get("patient");
        return cd.status?.powerState === "Hibernating" && condition(cd, "Ready")?.status === "True"
          ? cd
          : undefined;
      },
      60_000,
    );
    expect(hibernated.status?.stack?.jobId).not.toBe(waiting.jobId);
    await kubectlOk(["delete", "-n", ns, "cd/patient", "--timeout=60s"]);
  });
});

/** The ClusterDeployments a worker's log says it ran stack jobs for ("Running refresh for generation 1"). */
function stackJobsRun(log: string): string[] {
  return log
    .split("\n")
    .filter((line) => line.includes('"msg":"Running '))
    .map((line) => (JSON.parse(line) as { ClusterDeployment?: string }).ClusterDeployment ?? line);
}
