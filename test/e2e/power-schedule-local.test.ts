import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BootstrapPolicy, ClusterDeployment } from "../../src/api/index.js";
import { bootstrapPolicyResource, clusterDeploymentResource } from "../../src/api/resources.js";
import { OcmCondition } from "../../src/bootstrap/registration/names.js";
import { managedClusterResource } from "../../src/bootstrap/registration/resources.js";
import type { KubeObject } from "../../src/runtime/resource.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { ScaledClock } from "../../src/power/clock.js";
import { localClusterManifest } from "../builders/cluster-deployment.js";
import {
  deleteClustersThenStop,
  processesNaming,
  slipwayUnderTest,
  type SlipwayUnderTest,
} from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { spokeKubectl } from "../harness/spoke.js";
import { hubKubeConfig, kubectlOk } from "../harness/hub.js";

/*
 * A hibernation schedule on a real local cluster, with the real controller (ClusterDeployment and power
 * controllers) and worker processes. The controller runs the power controller's test clock (schedule time 60 times
 * faster than real time, from an origin the test shares), so the schedule's minutes pass in seconds: it sleeps the
 * cluster at a minute a little ahead and wakes it 25 schedule minutes (25 real seconds) later.
 */
const CLOCK_SCALE = 60;
const clock = new ScaledClock(CLOCK_SCALE);

describe("a hibernation schedule on the local platform, end to end", () => {
  let sut: SlipwayUnderTest;
  let kube: KubeClient;
  let ns: string;

  beforeAll(async () => {
    sut = await slipwayUnderTest("e2e-power", {
      SLIPWAY_LEADER_ELECTION: "false",
      SLIPWAY_POWER_CLOCK_SCALE: String(CLOCK_SCALE),
      SLIPWAY_POWER_CLOCK_ORIGIN: String(clock.origin),
    });
    sut.controller();
    sut.worker();
    kube = new KubeClient(hubKubeConfig());
    ns = sut.namespace;
  });

  afterAll(async () => {
    await deleteClustersThenStop(sut, ns);
  });

  const get = (name: string) => kube.get<ClusterDeployment>(clusterDeploymentResource, ns, name);
  const condition = (cd: ClusterDeployment, type: string) =>
    getCondition(cd.status?.conditions as never, type);
  const ready = (cd: ClusterDeployment) => condition(cd, "Ready")?.status === "True";
  const joinedAndBootstrapped = (cd: ClusterDeployment) =>
    condition(cd, "Joined")?.status === "True" && condition(cd, "Bootstrapped")?.status === "True";
  const baselinePolicy = {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "BootstrapPolicy",
    metadata: { name: "nightly-baseline" },
    spec: {
      clusterSelector: { matchLabels: { tier: "nightly" } },
      remediationAction: "enforce",
      evaluationInterval: "1h",
      objectTemplates: [
        {
          complianceType: "musthave",
          objectDefinition: {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "baseline", namespace: "default" },
            data: { owner: "platform" },
          },
        },
      ],
    },
  };

  it("hibernates the cluster at the schedule's start (processes stop) and wakes it at its end (data kept, OCM Available, compliant)", async () => {
    const manifest = localClusterManifest("nightly", { registration: true });
    await kubectlOk(["apply", "-n", ns, "-f", "-"], {
      input: JSON.stringify({ ...manifest, metadata: { ...manifest.metadata, labels: { tier: "nightly" } } }),
    });
    await kubectlOk(["apply", "-n", ns, "-f", "-"], { input: JSON.stringify(baselinePolicy) });
    const running = await eventually(
      "nightly Ready, joined and bootstrapped",
      async () => {
        const cd = await get("nightly");
        return ready(cd) && cd.status?.powerState === "Running" && joinedAndBootstrapped(cd) ? cd : undefined;
      },
      180_000,
    );
    const spoke = await spokeKubectl(kube, running, sut.stateDir);
    expect((await spoke(["create", "configmap", "kept-asleep", "--from-literal=k=v"])).code).toBe(0);
    const dataDir = join(sut.stateDir, "clusters", `${ns}-nightly-${running.metadata.uid!.slice(0, 8)}`);
    expect(processesNaming(dataDir).length).toBeGreaterThanOrEqual(2);

    // Sleep, in schedule time, from the first minute at least six minutes ahead until 25 minutes later, every day
    // in UTC (a schedule day lasts 24 real minutes, so it does not come round again during the test). Six schedule
    // minutes are six real seconds for the patch to reach the controller and its next times to be computed: with
    // two, a controller that got to it 2 s late on a loaded machine found the window already open and reported
    // tomorrow's start. Twenty-five minutes leave the local hibernate (about 5 s) ample time before the wake.
    const start = new Date(Math.ceil((clock.now().getTime() + 6 * 60_000) / 60_000) * 60_000);
    const end = new Date(start.getTime() + 25 * 60_000);
    const realMsUntil = (at: Date) => Math.max(0, clock.msUntil(at));
    const schedule = {
      start: `${start.getUTCMinutes()} ${start.getUTCHours()} * * *`,
      end: `${end.getUTCMinutes()} ${end.getUTCHours()} * * *`,
      location: "UTC",
    };
    await kube.patch(
      clusterDeploymentResource,
      ns,
      "nightly",
      { spec: { hibernation: { schedules: [schedule] } } },
      { type: "merge" },
    );
    const scheduled = await eventually("next times in status.power", async () => {
      const cd = await get("nightly");
      return cd.status?.power?.nextHibernateAt ? cd : undefined;
    });
    expect(Date.parse(scheduled.status!.power!.nextHibernateAt!)).toBe(start.getTime());
    expect(Date.parse(scheduled.status!.power!.nextWakeAt!)).toBe(end.getTime());
    expect(getCondition(scheduled.status?.conditions as never, "Scheduled")?.reason).toBe("ScheduleActive");

    const asleep = await eventually(
      "nightly hibernated by the schedule",
      async () => {
        const cd = await get("nightly");
        return cd.status?.powerState === "Hibernating" && ready(cd) ? cd : undefined;
      },
      realMsUntil(end),
      500,
    );
    expect(asleep.spec.powerState).toBe("Hibernating");
    expect(processesNaming(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, "etcd"))).toBe(true);

    // Woken: running, OCM reports it available again (Joined mirrors that) and the policy was evaluated after the
    // resume and found it compliant.
    const awake = await eventually(
      "nightly woken by the schedule, available and compliant",
      async () => {
        const cd = await get("nightly");
        return cd.status?.powerState === "Running" && ready(cd) && joinedAndBootstrapped(cd) ? cd : undefined;
      },
      realMsUntil(end) + 180_000,
      1_000,
    );
    const mc = await kube.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(
      managedClusterResource,
      undefined,
      "nightly",
    );
    expect(mc.status?.conditions?.find((c) => c.type === OcmCondition.Available)?.status).toBe("True");
    const policy = await kube.get<BootstrapPolicy>(bootstrapPolicyResource, ns, "nightly-baseline");
    const entry = policy.status?.clusters?.find((c) => c.name === "nightly");
    expect(entry?.compliant).toBe("Compliant");
    expect(Date.parse(entry!.lastEvaluated!)).toBeGreaterThanOrEqual(
      Date.parse(awake.status!.lastResumedAt!) - 1000,
    );
    expect((await spoke(["get", "configmap", "baseline", "-o", "jsonpath={.data.owner}"])).stdout).toBe(
      "platform",
    );
    expect(awake.status?.power?.lastTrigger).toMatchObject({
      source: "Schedule",
      powerState: "Running",
      outcome: "Applied",
    });
    const cm = await spoke(["get", "configmap", "kept-asleep", "-o", "jsonpath={.data.k}"]);
    expect(cm.stdout).toBe("v");

    // The cost counters saw the nap: hibernated time, all of it saved by the schedule.
    const counted = await eventually("usage counted the hibernation", async () => {
      const cd = await get("nightly");
      const usage = cd.status?.power?.usage;
      return usage && (usage.hibernatedSeconds ?? 0) > 0 ? usage : undefined;
    });
    expect(counted.savedSeconds).toBe(counted.hibernatedSeconds);
    expect(counted.runningSeconds).toBeGreaterThan(0);
  }, 600_000);
});
