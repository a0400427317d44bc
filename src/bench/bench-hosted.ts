import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterDeployment, HostedCluster } from "../api/index.js";
import { clusterDeploymentResource, hostedClusterResource, namespaceResource } from "../api/resources.js";
import { processesNaming, residentBytes } from "../local/processes.js";
import { getCondition, type Condition } from "../runtime/conditions.js";
import type { KubeClient } from "../runtime/kube-client.js";
import type { ResourceRef } from "../runtime/resource.js";
import { isReady, seconds, withBenchEnvironment } from "./bench-environment.js";

const NS = "bench-hosted";

type Cluster = HostedCluster | ClusterDeployment;

const available = (hc: Cluster) =>
  getCondition(hc.status?.conditions as Condition[] | undefined, "Available")?.status === "True";

/** The resident memory of the processes whose command line names `needle` (a control plane's data folder). */
const rssOf = (needle: string) =>
  processesNaming(needle).reduce((sum, pid) => sum + (residentBytes(pid) ?? 0), 0);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Waits, with one LIST every 250 ms, until `done` holds for every named object; returns them. */
async function waitForAll<T extends Cluster>(
  kube: KubeClient,
  resource: ResourceRef,
  names: string[],
  done: (o: T) => boolean,
  timeoutMs: number,
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
    if (at.size < names.length) await sleep(250);
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

/** One HostedCluster: apply -> Available, hibernate, resume, as a person would see them. */
async function one(kube: KubeClient): Promise<void> {
  const name = "hc-one";
  let t = Date.now();
  await kube.create(hostedClusterResource, hostedCluster(name));
  await waitForAll<HostedCluster>(kube, hostedClusterResource, [name], available, 300_000);
  console.log(`hosted (local): apply -> Available          ${seconds(Date.now() - t)}`);
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
    async ({ kube, stateDir, config }) => {
      await kube.create(namespaceResource, { metadata: { name: NS } });
      console.log(`worker concurrency ${config.worker.concurrency} (SLIPWAY_WORKER_CONCURRENCY)`);
      if (options.scenario === "one" || options.scenario === "all") await one(kube);
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
