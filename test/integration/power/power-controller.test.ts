import { randomBytes } from "node:crypto";
import { Queue, QueueEvents } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import { clusterDeploymentResource } from "../../../src/api/resources.js";
import {
  POWER_QUEUE,
  POWER_TRIGGER_JOB,
  powerTriggerHandler,
  register as registerPower,
} from "../../../src/power/index.js";
import { controllerDependencies } from "../../../src/queue/controller-jobs.js";
import { JobWorker } from "../../../src/queue/job-worker.js";
import { redisConnection } from "../../../src/queue/redis.js";
import { getCondition, type Condition } from "../../../src/runtime/conditions.js";
import { loadConfig } from "../../../src/runtime/config.js";
import { Informer } from "../../../src/runtime/informer.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { configureLogging } from "../../../src/runtime/logging.js";
import { Manager } from "../../../src/runtime/manager.js";
import { simulatedClusterManifest } from "../../builders/cluster-deployment.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, newNamespace, testRedisUrl, testStateDir } from "../../harness/hub.js";
import { ScaledClock } from "../../../src/power/clock.js";

/*
 * The power controller in-process against the real hub and Redis, with schedule time running 60 times faster
 * than real time (a cron minute is a real second): triggers are BullMQ delayed jobs, set by the reconciler and
 * fired by the trigger worker. No ClusterDeployment controller runs: spec.powerState is what these tests read.
 */

let client: KubeClient;
let ns: string;
const running: { manager: Manager }[] = [];

/** Every minute: even minutes hibernate, odd minutes wake. With the scaled clock, a flip a second. */
const flipEveryMinute = [{ start: "*/2 * * * *", end: "1-59/2 * * * *", location: "UTC" }];

function config(prefix: string) {
  const base = loadConfig({
    SLIPWAY_STATE_DIR: testStateDir(),
    REDIS_URL: testRedisUrl(),
    SLIPWAY_QUEUE_PREFIX: prefix,
  });
  return { ...base, redisUrl: testRedisUrl() };
}

async function startController(prefix: string, clock: ScaledClock) {
  const manager = new Manager({ client, namespaces: [ns] });
  const deps = controllerDependencies(client, config(prefix));
  registerPower(manager, deps, { clock });
  manager.add(deps.jobs);
  await manager.start({ cacheSyncTimeoutMs: 30_000 });
  const controller = { manager };
  running.push(controller);
  return controller;
}

async function stopController(controller: { manager: Manager }) {
  running.splice(running.indexOf(controller), 1);
  await controller.manager.stop();
}

async function createScheduled(name: string, schedules = flipEveryMinute): Promise<ClusterDeployment> {
  const manifest = simulatedClusterManifest(name, { provisionSeconds: 0 });
  return client.create(clusterDeploymentResource, {
    ...manifest,
    metadata: { name, namespace: ns },
    spec: { ...manifest.spec, hibernation: { schedules } },
  } as never);
}

const get = (name: string) => client.get<ClusterDeployment>(clusterDeploymentResource, ns, name);

/**
 * Schedule time for the tests that flip every schedule minute: 20 times real time, a flip every 3 real seconds,
 * which a loaded 2-core machine keeps up with (at 60 times, one a second, it sometimes did not).
 */
const FLIP_SCALE = 20;

/**
 * Records every spec.powerState change of `name` from a watch: each write is an event, so no flip is missed
 * however slowly a loaded machine answers (polling for flips a second apart could see two as none).
 */
async function watchPowerState(name: string) {
  const changes: { powerState: string; generation: number }[] = [];
  const informer = new Informer<ClusterDeployment>({
    client,
    resource: clusterDeploymentResource,
    namespace: ns,
    fieldSelector: `metadata.name=${name}`,
  });
  let last: string | undefined;
  const seen = (cd: ClusterDeployment) => {
    const powerState = cd.spec.powerState ?? "Running";
    if (last !== undefined && powerState !== last)
      changes.push({ powerState, generation: cd.metadata.generation ?? 0 });
    last = powerState;
  };
  informer.addEventHandler({ onAdd: seen, onUpdate: (_old, cd) => seen(cd) });
  informer.start();
  await informer.waitForSync({ timeoutMs: 20_000 });
  return { changes, stop: () => informer.stop() };
}

beforeAll(async () => {
  configureLogging({ level: process.env.SLIPWAY_LOG_LEVEL === "debug" ? "debug" : "warn" });
  client = new KubeClient(hubKubeConfig());
  ns = await newNamespace("power");
});

afterEach(async () => {
  for (const controller of [...running]) await stopController(controller);
  // A test's flipping cluster must not load the next test's controllers.
  for (const cd of (await client.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns })).items)
    await client.delete(clusterDeploymentResource, ns, cd.metadata.name!);
});

afterAll(() => client?.close());

const prefix = () => `t-power-${randomBytes(3).toString("hex")}`;

describe("the power controller on the real hub and Redis", () => {
  it("fires a schedule: spec.powerState follows the triggers, status.power shows the last and the next", async () => {
    const clock = new ScaledClock(FLIP_SCALE);
    await startController(prefix(), clock);
    await createScheduled("flip");
    const watch = await watchPowerState("flip");
    await eventually("three schedule triggers applied", async () => watch.changes.length >= 3, 60_000);
    await watch.stop();
    // Alternating, one generation per trigger: each trigger wrote spec.powerState once.
    for (let i = 1; i < watch.changes.length; i++)
      expect(watch.changes[i]!.powerState).not.toBe(watch.changes[i - 1]!.powerState);
    // The schedule keeps flipping while this reads: a status written between a trigger's spec write and its own
    // record says "Spec" for that moment, so wait for a pass that has both.
    const cd = await eventually("status.power records an applied trigger as what decides", async () => {
      const c = await get("flip");
      return c.status?.power?.lastTrigger?.outcome === "Applied" && c.status.power.source === "Schedule" && c;
    });
    expect(cd.status!.power).toMatchObject({ source: "Schedule", lastTrigger: { source: "Schedule" } });
    expect(Date.parse(cd.status!.power!.nextTransitionAt!)).toBeGreaterThan(
      Date.parse(cd.status!.power!.lastTriggerAt!),
    );
    expect(getCondition(cd.status?.conditions as Condition[], "Scheduled")).toMatchObject({
      status: "True",
      reason: "ScheduleActive",
    });
    // The power controller never writes the ClusterDeployment controller's observedGeneration.
    expect(cd.status?.observedGeneration).toBeUndefined();
  });

  it("keeps firing after a controller restart: the timer waits in Redis, not in the controller", async () => {
    const clock = new ScaledClock(FLIP_SCALE);
    const queuePrefix = prefix();
    const first = await startController(queuePrefix, clock);
    const cd = await createScheduled("restart");
    const watch = await watchPowerState("restart");
    await eventually("a first trigger", async () => watch.changes.length >= 1, 30_000);
    // The controller sets the next timer on the pass after a trigger: stop it only once that timer waits in Redis,
    // or a loaded machine could stop it before that pass and leave no timer to prove the point with.
    const connection = redisConnection(testRedisUrl());
    const powerQueue = new Queue(POWER_QUEUE, { connection, prefix: queuePrefix });
    await eventually("the next trigger's timer waiting in Redis", async () =>
      (await powerQueue.getDelayed()).some((job) => job.id?.startsWith(cd.metadata.uid!)),
    );
    await powerQueue.close();
    connection.disconnect();
    await stopController(first);

    // With no controller at all, only a bare trigger worker: the timer the controller set still fires.
    const seen = watch.changes.length;
    const worker = new JobWorker({
      queue: POWER_QUEUE,
      redisUrl: testRedisUrl(),
      prefix: queuePrefix,
      concurrency: 1,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      maxStalledCount: 1,
    }).handle(POWER_TRIGGER_JOB, powerTriggerHandler({ kube: client, clock }));
    const working = worker.run();
    await eventually(
      "the pending timer fired without a controller",
      async () => watch.changes.length > seen,
      30_000,
    );
    await worker.close();
    await working;

    // A new controller picks the schedule up again.
    const resumed = watch.changes.length;
    await startController(queuePrefix, clock);
    await eventually(
      "triggers continue after the restart",
      async () => watch.changes.length >= resumed + 2,
      60_000,
    );
    await watch.stop();
  });

  it("fires each trigger once with two controllers running", async () => {
    const clock = new ScaledClock(FLIP_SCALE);
    const queuePrefix = prefix();
    // Both reconcile (no leader election: the worst case) and both run a trigger worker.
    await startController(queuePrefix, clock);
    await startController(queuePrefix, clock);
    const connection = redisConnection(testRedisUrl());
    const events = new QueueEvents(POWER_QUEUE, { connection, prefix: queuePrefix });
    await events.waitUntilReady();
    const runs = new Map<string, number>();
    events.on("active", ({ jobId }) => runs.set(jobId, (runs.get(jobId) ?? 0) + 1));

    const cd = await createScheduled("twice");
    const watch = await watchPowerState("twice");
    await eventually("four triggers applied", async () => watch.changes.length >= 4, 60_000);
    await watch.stop();
    await events.close();
    connection.disconnect();

    const mine = [...runs].filter(([id]) => id.startsWith(cd.metadata.uid!));
    expect(mine.length).toBeGreaterThanOrEqual(4);
    for (const [id, count] of mine) expect(count, `job ${id} ran ${count} times`).toBe(1);
    for (let i = 1; i < watch.changes.length; i++)
      expect(watch.changes[i]!.generation).toBe(watch.changes[i - 1]!.generation + 1);
  });

  it("hibernates a running cluster hibernateAfter past its provisioning, and again that long after a resume", async () => {
    const clock = new ScaledClock(60);
    await startController(prefix(), clock);
    const manifest = simulatedClusterManifest("idle", { provisionSeconds: 0 });
    await client.create(clusterDeploymentResource, {
      ...manifest,
      metadata: { name: "idle", namespace: ns },
      spec: { ...manifest.spec, hibernateAfter: "10m" },
    } as never);
    // No ClusterDeployment controller runs here: write the status it would write once the cluster runs.
    const markRunning = async (field: "provisionedAt" | "lastResumedAt") => {
      const at = new Date(Math.ceil(clock.now().getTime() / 1000) * 1000); // API times have whole seconds
      await client.patch(
        clusterDeploymentResource,
        ns,
        "idle",
        { status: { powerState: "Running", [field]: at.toISOString() } },
        { type: "merge", subresource: "status" },
      );
      return new Date(at.getTime() + 10 * 60_000);
    };
    const watch = await watchPowerState("idle");
    const due = await markRunning("provisionedAt");

    const shown = await eventually("status.power shows when hibernateAfter hibernates it", async () => {
      const power = (await get("idle")).status?.power;
      return power?.nextHibernateAt ? power : undefined;
    });
    expect(Date.parse(shown.nextHibernateAt!)).toBe(due.getTime());
    expect(watch.changes).toEqual([]);

    // 10 schedule minutes are 10 real seconds: it hibernates then, not before.
    await eventually("hibernateAfter applied", async () => watch.changes.length >= 1, 30_000, 100);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(due.getTime());
    expect(watch.changes[0]!.powerState).toBe("Hibernating");
    // What fired is the trigger for the deadline itself, as recorded: how many real seconds after it the delayed
    // job ran depends on the machine's load, so no bound is put on that.
    const after = await eventually("status.power records the hibernateAfter trigger", async () => {
      const c = await get("idle");
      return c.status?.power?.lastTrigger?.outcome === "Applied" ? c : undefined;
    });
    expect(after.status!.power!.lastTrigger).toMatchObject({
      source: "HibernateAfter",
      powerState: "Hibernating",
    });
    expect(Date.parse(after.status!.power!.lastTrigger!.at ?? "")).toBe(due.getTime());

    // The cluster hibernates; then a person resumes it and the count starts again from the resume.
    await client.patch(
      clusterDeploymentResource,
      ns,
      "idle",
      { status: { powerState: "Hibernating" } },
      { type: "merge", subresource: "status" },
    );
    await client.patch(
      clusterDeploymentResource,
      ns,
      "idle",
      { spec: { powerState: "Running" } },
      { type: "merge" },
    );
    const dueAgain = await markRunning("lastResumedAt");
    await eventually(
      "hibernateAfter applied after the resume",
      async () => watch.changes.length >= 3,
      30_000,
      100,
    );
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(dueAgain.getTime());
    await watch.stop();
    expect(watch.changes.map((c) => c.powerState)).toEqual(["Hibernating", "Running", "Hibernating"]);
  });

  it("answers a zone admission could not check with Scheduled=False, UnknownTimeZone", async () => {
    await startController(prefix(), new ScaledClock(1));
    await createScheduled("atlantis", [
      { start: "0 19 * * *", end: "0 7 * * *", location: "Europe/Atlantis" },
    ]);
    const scheduled = await eventually("condition Scheduled", async () =>
      getCondition((await get("atlantis")).status?.conditions as Condition[], "Scheduled"),
    );
    expect(scheduled).toMatchObject({ status: "False", reason: "UnknownTimeZone" });
    expect(scheduled.message).toContain('"Europe/Atlantis" is not an IANA time zone');
    expect((await get("atlantis")).spec.powerState).toBe("Running");
  });

  it("acts on no schedule that would strand the cluster: Scheduled=False, ScheduleStrandsCluster, and no timer", async () => {
    // Every two schedule minutes, the end written another way than the start: the same moments, so the end would
    // be dropped every time and the cluster never woken. At 20x a start would fall every 6 real seconds.
    const queuePrefix = prefix();
    await startController(queuePrefix, new ScaledClock(FLIP_SCALE));
    const cd = await createScheduled("stranded", [
      { start: "*/2 * * * *", end: "0-58/2 * * * *", location: "UTC" },
    ]);
    const scheduled = await eventually("condition Scheduled", async () =>
      getCondition((await get("stranded")).status?.conditions as Condition[], "Scheduled"),
    );
    expect(scheduled).toMatchObject({ status: "False", reason: "ScheduleStrandsCluster" });
    expect(scheduled.message).toContain('schedules[0] ends ("0-58/2 * * * *")');
    expect(scheduled.message).toContain("the same moment as its own start");
    // The pass that wrote the condition is the one that would have set the next trigger's timer: there is none.
    const connection = redisConnection(testRedisUrl());
    const powerQueue = new Queue(POWER_QUEUE, { connection, prefix: queuePrefix });
    const jobs = await powerQueue.getJobs(["delayed", "waiting", "active", "completed"]);
    await powerQueue.close();
    connection.disconnect();
    expect(jobs.filter((job) => job.id?.startsWith(cd.metadata.uid!))).toEqual([]);
    expect((await get("stranded")).spec.powerState).toBe("Running");
  });
});
