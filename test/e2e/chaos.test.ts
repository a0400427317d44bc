import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../src/api/index.js";
import { clusterDeploymentResource, coreResources, secretResource } from "../../src/api/resources.js";
import { DevEnvironment } from "../../src/dev/environment.js";
import { markedProcesses } from "../../src/queue/process-tree.js";
import { stackNameFor } from "../../src/queue/stack-job.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { loadConfig } from "../../src/runtime/config.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { KubeConfig } from "@kubernetes/client-node";
import { localClusterManifest, simulatedClusterManifest } from "../builders/cluster-deployment.js";
import { ComponentProcess, processesNaming } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";

/*
 * Chaos: a fixed seed of faults over 6 simulated and 2 local clusters, on a hub of its own (so its API server can
 * be stopped) with its own Redis (so it can be flushed). Two workers share Redis and the Pulumi backend; the second
 * runs in its own UTS namespace with another hostname, as a worker on another host would. Faults: workers
 * SIGKILLed during `up` and `destroy`, Redis flushed mid-provision and mid-destroy, the controller SIGKILLed, and
 * the hub API server stopped for longer than the old retry budget. The job backoff is shortened (0.5 s doubling to
 * 4 s, where the defaults are 5 s doubling to 5 min), so the old budget of 5 attempts lasted 11.5 s here and a
 * 15 s outage outlasts it, as a 90 s outage outlasted the 75 s of the defaults. Then every
 * resource must converge or be gone, with no stack run twice, no stale lock, no orphan process and nothing left
 * behind.
 *
 * Slow: a hub of its own (about 10 s), eight clusters provisioned through repeated faults (about 50 s of Pulumi
 * runs on two cores), the 15 s hub outage, and every cluster destroyed; about 100 s. Eight clusters fill the two
 * workers' four run slots each, so every fault strikes runs in flight; more clusters only queued behind them.
 */

const SEED = 20261130;
const HUB_DOWN_MS = 15_000;
const JOB_BACKOFF_MS = 500;
const JOB_BACKOFF_CAP_MS = 4_000;

const SIMULATED = 6;
const LOCAL = 2;

/** mulberry32: a small seeded generator, so every run injects the same faults at the same points. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(SEED);
const between = (min: number, max: number) => Math.round(min + random() * (max - min));

let env: DevEnvironment;
let stateDir: string;
let kubeconfigPath: string;
let redisUrl: string;
let client: KubeClient;
let redis: Redis;
const ns = "chaos";
const started: ComponentProcess[] = [];
let processCount = 0;

function componentEnv(): Record<string, string> {
  return {
    SLIPWAY_STATE_DIR: stateDir,
    SLIPWAY_KUBECONFIG: kubeconfigPath,
    KUBECONFIG: "",
    REDIS_URL: redisUrl,
    SLIPWAY_QUEUE_PREFIX: "chaos",
    SLIPWAY_LEASE_NAME: "chaos-controller",
    SLIPWAY_LOG_LEVEL: "info",
    // A killed holder's stack lease expires this soon, so the faults below cost seconds, not minutes.
    SLIPWAY_STACK_LEASE_MS: "10000",
    // So does the SIGKILLed controller's Lease: its successor leads after 6 s, not the default 15 s, which was the
    // longest wait of the provisioning faults.
    SLIPWAY_LEASE_DURATION_SECONDS: "6",
    // A killed worker's job is found stalled within seconds (defaults: 60 s lock, checked every 30 s).
    SLIPWAY_WORKER_LOCK_MS: "10000",
    SLIPWAY_WORKER_STALLED_INTERVAL_MS: "2000",
    SLIPWAY_JOB_BACKOFF_MS: String(JOB_BACKOFF_MS),
    SLIPWAY_JOB_BACKOFF_CAP_MS: String(JOB_BACKOFF_CAP_MS),
  };
}

function start(kind: "controller" | "worker", wrapper: string[] = []): ComponentProcess {
  processCount += 1;
  const p = new ComponentProcess(
    kind,
    componentEnv(),
    join(stateDir, "logs", `${kind}-${processCount}.log`),
    wrapper,
  ).start();
  started.push(p);
  return p;
}

/** The second worker: same machine and files, another hostname (its own UTS namespace). */
const otherHost = ["unshare", "--uts", "--", "sh", "-c", 'hostname "$0" && exec "$@"', "chaos-worker-b"];

const names = [
  ...Array.from({ length: SIMULATED }, (_, i) => `sim-${i}`),
  ...Array.from({ length: LOCAL }, (_, i) => `local-${i}`),
];

function manifest(name: string): object {
  if (name.startsWith("local-")) return localClusterManifest(name);
  const m = simulatedClusterManifest(name, { provisionSeconds: between(3, 9) }) as {
    spec: { platform: { simulated: Record<string, unknown> } };
  };
  m.spec.platform.simulated.destroySeconds = between(1, 4);
  m.spec.platform.simulated.hibernateSeconds = between(1, 3);
  return m;
}

const get = (name: string) => client.getIfExists<ClusterDeployment>(clusterDeploymentResource, ns, name);
const isReady = (cd: ClusterDeployment | undefined) =>
  getCondition(cd?.status?.conditions as never, "Ready")?.status === "True";

async function allReady(which: string[], timeoutMs: number): Promise<ClusterDeployment[]> {
  return eventually(
    `${which.join(", ")} Ready`,
    async () => {
      const cds = await Promise.all(which.map((n) => get(n).catch(() => undefined)));
      return cds.every((cd) => isReady(cd) && cd!.status?.observedGeneration === cd!.metadata.generation)
        ? (cds as ClusterDeployment[])
        : undefined;
    },
    timeoutMs,
    1_000,
  );
}

async function allGone(which: string[], timeoutMs: number): Promise<void> {
  await eventually(
    `${which.join(", ")} deleted`,
    async () => (await Promise.all(which.map((n) => get(n).catch(() => "unreachable")))).every((o) => !o),
    timeoutMs,
    1_000,
  );
}

const pulumiRoot = () => join(stateDir, "pulumi", ".pulumi");

/** Creates the update history of a stack recorded, summed over every update that finished. */
function historyCreates(stack: string): number {
  const dir = join(pulumiRoot(), "history", "slipway", stack);
  if (!existsSync(dir)) return 0;
  return readdirSync(dir)
    .filter((f) => f.endsWith(".history.json"))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as { resourceChanges?: { create?: number } })
    .reduce((sum, h) => sum + (h.resourceChanges?.create ?? 0), 0);
}

/** The resources a stack's state holds now. */
function stateResources(stack: string): number {
  const file = join(pulumiRoot(), "stacks", "slipway", `${stack}.json`);
  const state = JSON.parse(readFileSync(file, "utf8")) as {
    checkpoint?: { latest?: { resources?: unknown[] } };
  };
  return state.checkpoint?.latest?.resources?.length ?? 0;
}

function locksOf(stack: string): string[] {
  const dir = join(pulumiRoot(), "locks", "organization", "slipway", stack);
  return existsSync(dir) ? readdirSync(dir) : [];
}

const stackOf = (cd: ClusterDeployment) =>
  stackNameFor({ namespace: ns, name: cd.metadata.name!, uid: cd.metadata.uid! });

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "slipway-chaos-"));
  await mkdir(join(stateDir, "logs"), { recursive: true });
  const config = loadConfig({
    ...process.env,
    SLIPWAY_STATE_DIR: join(stateDir, "dev"),
    REDIS_URL: "",
    KUBECONFIG: "",
    SLIPWAY_KUBECONFIG: "",
  });
  env = new DevEnvironment(config);
  const up = await env.up({ detached: false, log: () => undefined, components: false });
  kubeconfigPath = up.kubeconfig;
  redisUrl = up.redisUrl;
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  client = new KubeClient(kc);
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
}, 180_000);

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop("SIGKILL")));
  redis?.disconnect();
  client?.close();
  await env?.down();
  if (!process.env.SLIPWAY_KEEP_TEST_STATE) await rm(stateDir, { recursive: true, force: true });
}, 180_000);

describe("chaos", () => {
  it(
    "a fixed seed of faults over 6 simulated and 2 local clusters: all converge, nothing runs twice, nothing leaks",
    { timeout: 900_000 },
    async () => {
      const t0 = Date.now();
      const mark = (what: string) => console.log(`chaos +${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
      let controller = start("controller");
      let workerA = start("worker");
      let workerB = start("worker", otherHost);
      await client.create(coreResources.namespaces, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: ns },
      });
      for (const name of names) {
        await client.create(clusterDeploymentResource, {
          ...(manifest(name) as object),
          metadata: { name, namespace: ns },
        } as never);
      }
      mark(`${names.length} ClusterDeployments created`);

      // Phase 1, mid-provision: both workers killed, Redis flushed, the controller killed.
      await sleep(between(2_000, 4_000));
      await workerA.stop("SIGKILL");
      mark("worker A SIGKILLed during up");
      await sleep(between(1_000, 3_000));
      await redis.flushall();
      mark("Redis flushed during up");
      workerA = start("worker");
      await sleep(between(1_000, 3_000));
      await controller.stop("SIGKILL");
      mark("controller SIGKILLed");
      await sleep(between(500, 2_000));
      await workerB.stop("SIGKILL");
      mark("worker B SIGKILLed during up");
      controller = start("controller");
      await sleep(between(1_000, 3_000));
      await redis.flushall();
      mark("Redis flushed again");
      workerB = start("worker", otherHost);

      const ready = await allReady(names, 300_000);
      mark(`all ${names.length} Ready after the provisioning faults`);

      // No stack was run twice: the finished updates created no more than the state holds (a run killed midway
      // records no history, so fewer is fine; two concurrent creates would record more), and no lock is left.
      for (const cd of ready) {
        const stack = stackOf(cd);
        expect(historyCreates(stack), `creates recorded for ${cd.metadata.name}`).toBeLessThanOrEqual(
          stateResources(stack),
        );
        expect(locksOf(stack), `locks of ${cd.metadata.name}`).toEqual([]);
      }

      // Phase 2: hibernate two, then the hub goes away for longer than the old retry budget.
      for (const name of ["sim-0", "sim-1"]) {
        await client.patch(
          clusterDeploymentResource,
          ns,
          name,
          { spec: { powerState: "Hibernating" } },
          {
            type: "merge",
          },
        );
      }
      await sleep(500);
      // The outage starts when the API server refuses requests (a quarter of a second after the stop began), not
      // when the stop returns: its processes then take their 10 s grace to exit, which on top of the 15 s made the
      // outage 25 s and the file 10 s longer.
      const stopped = env.hub.stop();
      // Refused, not merely slow: a request still pending after 2 s is asked again.
      await eventually(
        "the hub API server refusing requests",
        () =>
          Promise.race([
            client.list(coreResources.namespaces).then(
              () => false,
              () => true,
            ),
            sleep(2_000).then(() => false),
          ]),
        30_000,
        100,
      );
      const downAt = Date.now();
      mark(`hub API server down for ${HUB_DOWN_MS / 1000}s`);
      await sleep(HUB_DOWN_MS);
      await stopped;
      await env.hub.start({ detached: false });
      mark(`hub API server back after ${((Date.now() - downAt) / 1000).toFixed(1)}s`);
      await eventually(
        "sim-0 and sim-1 hibernated",
        async () => {
          const cds = await Promise.all(["sim-0", "sim-1"].map(get));
          return cds.every((cd) => isReady(cd) && cd?.status?.powerState === "Hibernating");
        },
        240_000,
        1_000,
      );
      mark("hibernation converged after the hub outage");

      // Phase 3, mid-destroy: delete half, kill a worker and flush Redis while they are destroyed.
      const doomed = ["sim-2", "sim-3", "local-0"];
      for (const name of doomed) await client.delete(clusterDeploymentResource, ns, name);
      await sleep(between(1_000, 2_000));
      await workerB.stop("SIGKILL");
      mark("worker B SIGKILLed during destroy");
      await redis.flushall();
      mark("Redis flushed during destroy");
      await sleep(between(500, 1_500));
      workerB = start("worker", otherHost);
      await allGone(doomed, 240_000);
      mark("deleted clusters gone");

      // The rest still converge, and every one of them was created once.
      const rest = names.filter((n) => !doomed.includes(n));
      for (const cd of await allReady(rest, 240_000)) {
        const stack = stackOf(cd);
        expect(historyCreates(stack), `creates recorded for ${cd.metadata.name}`).toBeLessThanOrEqual(
          stateResources(stack),
        );
        expect(locksOf(stack), `locks of ${cd.metadata.name}`).toEqual([]);
      }

      // Finally everything is deleted; then nothing is left: no stack, folder, Secret, lock or process.
      for (const name of rest) await client.delete(clusterDeploymentResource, ns, name);
      await allGone(rest, 240_000);
      mark("all deleted");
      await Promise.all(started.map((p) => p.stop("SIGTERM")));
      const stacksDir = join(pulumiRoot(), "stacks", "slipway");
      const stacksLeft = existsSync(stacksDir)
        ? readdirSync(stacksDir).filter((f) => f.endsWith(".json"))
        : [];
      expect(stacksLeft).toEqual([]);
      const clustersDir = join(stateDir, "clusters");
      expect(existsSync(clustersDir) ? readdirSync(clustersDir) : []).toEqual([]);
      const secrets = await client.list(secretResource, { namespace: ns });
      expect(secrets.items.map((s) => s.metadata?.name)).toEqual([]);
      const locksDir = join(pulumiRoot(), "locks", "organization", "slipway");
      const locks = existsSync(locksDir)
        ? readdirSync(locksDir).flatMap((d) => readdirSync(join(locksDir, d)))
        : [];
      expect(locks).toEqual([]);
      expect(markedProcesses({ stateDir }).map((p) => p.command)).toEqual([]);
      expect(processesNaming(join(stateDir, "clusters"))).toEqual([]);
      const leases = await redis.keys("chaos:stack-lease:*");
      expect(leases).toEqual([]);
      mark("nothing left behind");
    },
  );
});
