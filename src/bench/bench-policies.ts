import { setTimeout as sleep } from "node:timers/promises";
import type { BootstrapPolicy, ClusterDeployment } from "../api/index.js";
import { bootstrapPolicyResource, clusterDeploymentResource, namespaceResource } from "../api/resources.js";
import { SPOKE_QUEUE } from "../queue/job.js";
import { JobQueue } from "../queue/job-queue.js";
import { getCondition, type Condition } from "../runtime/conditions.js";
import type { KubeClient } from "../runtime/kube-client.js";
import { seconds, withBenchEnvironment, zeroDelaySimulated } from "./bench-environment.js";

const NS = "bench";

function cluster(name: string, platform: Record<string, unknown>, labels: Record<string, string>) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    // The labels on the resource select it for the policy and for this benchmark's lists alike.
    metadata: { name, namespace: NS, labels },
    spec: { clusterName: name, platform },
  };
}

function configMaps(count: number, namespace: string, tag: string) {
  return Array.from({ length: count }, (_, i) => ({
    complianceType: "musthave",
    objectDefinition: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `bench-${i}`, namespace },
      data: { tag, index: String(i) },
    },
  }));
}

function policy(name: string, selector: Record<string, string>, action: string, templates: object[]) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "BootstrapPolicy",
    metadata: { name, namespace: NS },
    spec: {
      clusterSelector: { matchLabels: selector },
      remediationAction: action,
      evaluationInterval: "1h",
      objectTemplates: templates,
    },
  };
}

/** Polls with one GET every 250 ms until `done` returns a value. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

async function allRunning(kube: KubeClient, selector: string, count: number): Promise<ClusterDeployment[]> {
  return until(
    `${count} clusters running`,
    async () => {
      const list = await kube.list<ClusterDeployment>(clusterDeploymentResource, {
        namespace: NS,
        labelSelector: selector,
      });
      const running = list.items.filter(
        (cd) => cd.status?.powerState === "Running" && cd.status.provisionedAt,
      );
      return running.length === count ? running : undefined;
    },
    3_600_000,
  );
}

/** Waits until the policy's current generation is evaluated on `count` clusters, all Compliant. */
async function evaluatedEverywhere(kube: KubeClient, name: string, count: number): Promise<BootstrapPolicy> {
  return until(
    `${name} evaluated on ${count} clusters`,
    async () => {
      const p = await kube.get<BootstrapPolicy>(bootstrapPolicyResource, NS, name);
      const done = (p.status?.clusters ?? []).filter(
        (c) => c.generation === p.metadata.generation && c.compliant === "Compliant",
      );
      return done.length === count ? p : undefined;
    },
    1_800_000,
  );
}

/** Samples a queue every `everyMs` until stopped: the most jobs waiting or running at one instant. */
export function sampleQueue(queue: Pick<JobQueue, "counts">, everyMs = 100): { stop(): Promise<number> } {
  let max = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const c = await queue.counts();
      max = Math.max(max, (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0));
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return max;
    },
  };
}

async function benchSimulated(kube: KubeClient, queue: JobQueue, count: number, evaluationMs: number) {
  const label = { bench: `sim-${count}` };
  const platform = {
    simulated: { ...zeroDelaySimulated.simulated, bootstrapSeconds: evaluationMs / 1000 },
  };
  let t = Date.now();
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        kube.create(clusterDeploymentResource, cluster(`s${count}-${i + j}`, platform, label)),
      ),
    );
  }
  await allRunning(kube, `bench=sim-${count}`, count);
  console.log(`simulated x${count}: all provisioned in ${seconds(Date.now() - t)}`);

  const name = `fleet-${count}`;
  t = Date.now();
  await kube.create(bootstrapPolicyResource, policy(name, label, "inform", configMaps(3, "default", "v1")));
  await evaluatedEverywhere(kube, name, count);
  console.log(`simulated x${count}: new policy -> all ${count} Compliant in ${seconds(Date.now() - t)}`);

  const sampler = sampleQueue(queue);
  t = Date.now();
  await kube.patch(
    bootstrapPolicyResource,
    NS,
    name,
    { spec: { objectTemplates: configMaps(4, "default", "v2") } },
    { type: "merge" },
  );
  await evaluatedEverywhere(kube, name, count);
  const wall = Date.now() - t;
  const peak = await sampler.stop();
  console.log(
    `simulated x${count}: policy change -> all ${count} re-evaluated in ${seconds(wall)} ` +
      `(${((count * 1000) / wall).toFixed(0)} evaluations/s, ${evaluationMs} ms simulated each; ` +
      `at most ${peak} evaluations queued or running at once)`,
  );
}

/**
 * K local clusters; a policy of M ConfigMaps (enforce) created once they run: object applies per second across
 * them, end to end (queue, discovery, GET and apply per object). Then a new local cluster with the policy already
 * there: Provisioned -> Bootstrapped.
 */
async function benchLocal(kube: KubeClient, clusters: number, objects: number) {
  const label = { bench: "local" };
  for (let i = 0; i < clusters; i++)
    await kube.create(clusterDeploymentResource, cluster(`local-${i}`, { local: {} }, label));
  await allRunning(kube, "bench=local", clusters);
  const t = Date.now();
  await kube.create(
    bootstrapPolicyResource,
    policy("local-objects", label, "enforce", configMaps(objects, "default", "v1")),
  );
  await evaluatedEverywhere(kube, "local-objects", clusters);
  const wall = Date.now() - t;
  console.log(
    `local x${clusters}: ${objects} ConfigMaps enforced on each -> all Compliant in ${seconds(wall)} ` +
      `(${((clusters * objects * 1000) / wall).toFixed(0)} object applies/s end to end)`,
  );

  await kube.create(clusterDeploymentResource, cluster(`local-${clusters}`, { local: {} }, label));
  const cd = await until(
    "the new local cluster Bootstrapped",
    async () => {
      const c = await kube.get<ClusterDeployment>(clusterDeploymentResource, NS, `local-${clusters}`);
      const b = getCondition(c.status?.conditions as Condition[] | undefined, "Bootstrapped");
      return c.status?.provisionedAt && b?.status === "True" && b.reason === "PoliciesCompliant"
        ? c
        : undefined;
    },
    600_000,
  );
  const bootstrapped = getCondition(cd.status?.conditions as Condition[], "Bootstrapped")!;
  const ms =
    new Date(bootstrapped.lastTransitionTime).getTime() - new Date(cd.status!.provisionedAt!).getTime();
  console.log(
    `local: Provisioned -> Bootstrapped (${objects} objects) ${seconds(ms)} (condition times, 1 s precision)`,
  );
}

/**
 * `slipway bench policies`: a private dev environment; policy change -> N simulated clusters re-evaluated (each N of
 * `counts`), and object applies per second across local clusters.
 */
export async function benchPolicies(options: {
  counts: number[];
  evaluationMs: number;
  localClusters: number;
  objects: number;
  scenario: "simulated" | "local" | "all";
}): Promise<number> {
  await withBenchEnvironment(
    async ({ config, kube, redisUrl }) => {
      const queue = new JobQueue({
        name: SPOKE_QUEUE,
        redisUrl,
        prefix: config.queuePrefix,
        attempts: 1,
        backoffMs: 1000,
      });
      try {
        await kube.create(namespaceResource, { metadata: { name: NS } });
        if (options.scenario !== "local")
          for (const count of options.counts) await benchSimulated(kube, queue, count, options.evaluationMs);
        if (options.scenario !== "simulated" && options.localClusters > 0)
          await benchLocal(kube, options.localClusters, options.objects);
      } finally {
        await queue.close();
      }
    },
    {
      // Local clusters are processes of this machine: stop them before the hub goes.
      cleanup: async ({ kube }) => {
        await kube.delete(namespaceResource, undefined, NS).catch(() => undefined);
        await until(
          "bench clusters deleted",
          async () =>
            (await kube.list(clusterDeploymentResource, { namespace: NS })).items.length === 0 || undefined,
          600_000,
        ).catch(() => undefined);
      },
      componentDefaults: { SLIPWAY_WORKER_CONCURRENCY: "8", SLIPWAY_SPOKE_CONCURRENCY: "32" },
    },
  );
  return 0;
}
