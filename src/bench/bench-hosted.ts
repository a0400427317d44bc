import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterDeployment, HostedCluster } from "../api/index.js";
import { clusterDeploymentResource, hostedClusterResource, namespaceResource } from "../api/resources.js";
import { processesNaming, residentBytes } from "../local/processes.js";
import { getCondition, type Condition } from "../runtime/conditions.js";
import type { KubeClient } from "../runtime/kube-client.js";
import type { ResourceRef } from "../runtime/resource.js";
import { jobId } from "../queue/job.js";
import {
  benchStackQueue,
  isReady,
  seconds,
  withBenchEnvironment,
  type BenchEnvironment,
} from "./bench-environment.js";

const NS = "bench-hosted";

type Cluster = HostedCluster | ClusterDeployment;

const available = (hc: Cluster) =>
  getCondition(hc.status?.conditions as Condition[] | undefined, "Available")?.status === "True";

/** The resident memory of the processes whose command line names `needle` (a control plane's data folder). */
const rssOf = (needle: string) =>
  processesNaming(needle).reduce((sum, pid) => sum + (residentBytes(pid) ?? 0), 0);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Waits, with one LIST every `everyMs`, until `done` holds for every named object; returns them. */
async function waitForAll<T extends Cluster>(
  kube: KubeClient,
  resource: ResourceRef,
  names: string[],
  done: (o: T) => boolean,
  timeoutMs: number,
  everyMs = 250,
): Promise<{ items: T[]; at: Map<string, number> }> {
  const deadline = Date.now() + timeoutMs;
  const at = new Map<string, number>();
  const items = new Map<string, T>();
  while (at.size < names.length) {
    if (Date.now() > deadline)
      throw new Error(`${names.length - at.size} of ${names.length} not done within ${timeoutMs / 1000} s`);
    for (const o of (await kube.list<T>(resource, { namespace: NS })).items) {
      const name = o.metadata!.name!;
      if (names.includes(name) && !at.has(name) && done(o)) {
        at.set(name, Date.now());
        items.set(name, o);
      }
    }
    if (at.size < names.length) await sleep(everyMs);
  }
  return { items: names.map((n) => items.get(n)!), at };
}

async function waitGone(kube: KubeClient, resource: ResourceRef, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await kube.list(resource, { namespace: NS })).items.length > 0) {
    if (Date.now() > deadline)
      throw new Error(`${resource.plural} of ${NS} not deleted within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

function hostedCluster(name: string) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "HostedCluster",
    metadata: { name, namespace: NS },
    spec: { release: { version: "1.36" }, platform: { local: {} }, registration: { enabled: false } },
  };
}

function localClusterDeployment(name: string) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name, namespace: NS },
    spec: {
      clusterName: name,
      platform: { local: { controllerManager: true } },
      registration: { enabled: false },
    },
  };
}

const dataDirOf = (stateDir: string, o: Cluster) =>
  join(stateDir, "clusters", `${NS}-${o.metadata!.name}-${o.metadata!.uid!.slice(0, 8)}`);

/**
 * Until the worker takes jobs: dev up returns once its processes run, and the worker installs its provider plugins
 * before it takes any, which a first apply would otherwise wait for (3.5 s of a first apply at load 13).
 */
async function workerStarted(stateDir: string, timeoutMs = 300_000): Promise<void> {
  const log = join(stateDir, "logs", "worker.log");
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(log) && readFileSync(log, "utf8").includes('"msg":"Worker started"'))) {
    if (Date.now() > deadline) throw new Error(`the worker did not start within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** One HostedCluster: apply -> Available, hibernate, resume, as a person would see them. */
async function one(env: BenchEnvironment): Promise<void> {
  const { kube } = env;
  const name = "hc-one";
  await workerStarted(env.stateDir);
  let t = Date.now();
  const created = (await kube.create(hostedClusterResource, hostedCluster(name))) as HostedCluster;
  // Polled every 50 ms: the figure is a few seconds, and a 250 ms poll would add 125 ms to it on average.
  await waitForAll<HostedCluster>(kube, hostedClusterResource, [name], available, 300_000, 50);
  const availableAt = Date.now();
  console.log(`hosted (local): apply -> Available          ${seconds(availableAt - t)}`);
  await printBreakdown(env, created, t, availableAt);
  for (const [powerState, done] of [
    ["Hibernating", (hc: HostedCluster) => hc.status?.powerState === "Hibernating"],
    ["Running", (hc: HostedCluster) => hc.status?.powerState === "Running" && available(hc)],
  ] as const) {
    t = Date.now();
    await kube.patch(hostedClusterResource, NS, name, { spec: { powerState } }, { type: "merge" });
    await waitForAll<HostedCluster>(kube, hostedClusterResource, [name], done, 300_000);
    console.log(`hosted (local): powerState ${powerState.padEnd(11)} -> done ${seconds(Date.now() - t)}`);
  }
  t = Date.now();
  await kube.delete(hostedClusterResource, NS, name);
  await waitGone(kube, hostedClusterResource, 300_000);
  console.log(`hosted (local): delete -> gone               ${seconds(Date.now() - t)}`);
}

/** Where the apply's time went, from the stack job's timestamps in Redis and the run's own duration. */
async function printBreakdown(
  env: BenchEnvironment,
  hc: HostedCluster,
  appliedAt: number,
  availableAt: number,
): Promise<void> {
  const queue = benchStackQueue(env);
  try {
    const job = await queue.lookup(jobId({ uid: hc.metadata!.uid!, generation: 1, operation: "up" }));
    const started = job.startedAt?.getTime();
    const finished = job.finishedAt?.getTime();
    if (!started || !finished || !job.result) return;
    const pulumi = job.result.durationMs;
    const rows: [string, number][] = [
      ["apply -> job started by the worker", started - appliedAt],
      ["job started -> Pulumi run started", finished - started - pulumi],
      ["Pulumi run (CLI calls, program, provider, control plane)", pulumi],
      ["job finished -> Available seen", availableAt - finished],
    ];
    for (const [what, ms] of rows) console.log(`  ${what.padEnd(58)} ${seconds(ms)}`);
  } finally {
    await queue.close();
  }
}

/**
 * `count` clusters of one kind applied at once: wall time until all serve their API, memory per control plane
 * (resident memory of the processes naming its data folder, plus its share of the shared etcd), then deletion.
 */
async function fleet(
  kube: KubeClient,
  stateDir: string,
  count: number,
  kind: "HostedCluster" | "ClusterDeployment",
): Promise<void> {
  const hosted = kind === "HostedCluster";
  const resource = hosted ? hostedClusterResource : clusterDeploymentResource;
  const names = Array.from(
    { length: count },
    (_, i) => `${hosted ? "hc" : "cd"}-${String(i).padStart(2, "0")}`,
  );
  const t = Date.now();
  await Promise.all(
    names.map((n) => kube.create(resource, hosted ? hostedCluster(n) : localClusterDeployment(n))),
  );
  const done = hosted ? available : (cd: Cluster) => isReady(cd as ClusterDeployment, "Running");
  const { items, at } = await waitForAll<Cluster>(kube, resource, names, done, 1_800_000);
  const wall = Date.now() - t;
  const firstMs = Math.min(...at.values()) - t;
  const label = hosted ? "hosted control planes (shared etcd)" : "local ClusterDeployments (own etcd each)";
  console.log(
    `${count} ${label}: all serving in ${seconds(wall)} (first after ${seconds(firstMs)}, ` +
      `${seconds(wall / count)} of wall time per cluster)`,
  );
  await sleep(5_000); // let the processes settle after start-up before reading their memory
  const perCluster = items.map((o) => rssOf(dataDirOf(stateDir, o)));
  const own = perCluster.reduce((a, b) => a + b, 0);
  const shared = hosted ? rssOf(join(stateDir, "hosted-etcd")) : 0;
  console.log(
    `${count} ${label}: resident memory ${mib(own + shared)} in all, ${mib((own + shared) / count)} per cluster` +
      (hosted ? ` (its processes ${mib(own / count)}, the shared etcd ${mib(shared)} / ${count})` : ""),
  );
  const d = Date.now();
  await Promise.all(names.map((n) => kube.delete(resource, NS, n)));
  await waitGone(kube, resource, 1_800_000);
  console.log(`${count} ${label}: all deleted in ${seconds(Date.now() - d)}`);
}

/**
 * `slipway bench hosted`: a private dev environment (hub, Redis, controller, worker) in a temporary folder;
 * one HostedCluster's apply -> Available, hibernate and resume on `local`, then `count` hosted control planes at
 * once over the shared etcd against `count` local ClusterDeployments (etcd, kube-apiserver and
 * kube-controller-manager each).
 */
export async function benchHosted(options: {
  count: number;
  scenario: "one" | "fleet" | "compare" | "all";
}): Promise<number> {
  await withBenchEnvironment(
    async (env) => {
      const { kube, stateDir, config } = env;
      await kube.create(namespaceResource, { metadata: { name: NS } });
      console.log(`worker concurrency ${config.worker.concurrency} (SLIPWAY_WORKER_CONCURRENCY)`);
      if (options.scenario === "one" || options.scenario === "all") await one(env);
      if (options.scenario !== "one") await fleet(kube, stateDir, options.count, "HostedCluster");
      if (options.scenario === "compare" || options.scenario === "all")
        await fleet(kube, stateDir, options.count, "ClusterDeployment");
    },
    {
      cleanup: async ({ kube }) => {
        for (const resource of [hostedClusterResource, clusterDeploymentResource]) {
          for (const o of (await kube.list(resource, { namespace: NS })).items)
            await kube.delete(resource, NS, o.metadata!.name!).catch(() => undefined);
          await waitGone(kube, resource, 600_000).catch(() => undefined);
        }
      },
    },
  );
  return 0;
}
