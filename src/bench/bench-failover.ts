import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterDeployment, ClusterFailover } from "../api/index.js";
import { clusterDeploymentResource, clusterFailoverResource, namespaceResource } from "../api/resources.js";
import { register as registerFailover } from "../failover/index.js";
import { controllerDependencies } from "../queue/controller-jobs.js";
import type { KubeClient } from "../runtime/kube-client.js";
import { configureLogging } from "../runtime/logging.js";
import { Manager } from "../runtime/manager.js";
import { seconds, withBenchEnvironment } from "./bench-environment.js";
import { PowerSimulator, simulatedStatus } from "./power-simulator.js";

export interface BenchFailoverOptions {
  counts: number[];
  maxConcurrent: number;
  resumeDelayMs: number;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** `count` standalone simulated clusters, installed and hibernated (their status written as the controller would). */
async function hibernatedClusters(kube: KubeClient, ns: string, count: number): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `sb-${String(i).padStart(4, "0")}`);
  await inBatches(names, 20, async (name) => {
    const cd = await kube.create<ClusterDeployment>(clusterDeploymentResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterDeployment",
      metadata: { name, namespace: ns, labels: { site: "standby" } },
      spec: { clusterName: name, powerState: "Hibernating", platform: { simulated: {} } },
    } as unknown as ClusterDeployment);
    await kube.patch(
      clusterDeploymentResource,
      ns,
      name,
      { status: simulatedStatus(cd, "Hibernating") },
      { type: "merge", subresource: "status" },
    );
  });
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
const ms = (value: number) => `${Math.round(value)} ms`;

async function benchOne(kube: KubeClient, options: BenchFailoverOptions, count: number): Promise<void> {
  const ns = `bench-failover-${count}`;
  await kube.create(namespaceResource, { metadata: { name: ns } });
  let t = Date.now();
  await hibernatedClusters(kube, ns, count);
  console.log(`\n${count} hibernated simulated clusters created in ${seconds(Date.now() - t)}`);

  const simulator = new PowerSimulator({ client: kube, namespace: ns, resumeDelayMs: options.resumeDelayMs });
  await simulator.start();
  try {
    t = Date.now();
    await kube.create(clusterFailoverResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterFailover",
      metadata: { name: "dr", namespace: ns },
      spec: {
        standby: { selector: { matchLabels: { site: "standby" } } },
        maxConcurrent: options.maxConcurrent,
        resumeTimeout: "1h",
      },
    });
    let failover: ClusterFailover;
    for (;;) {
      failover = await kube.get<ClusterFailover>(clusterFailoverResource, ns, "dr");
      const phase = failover.status?.phase;
      if (phase && ["Succeeded", "PartiallyFailed", "Failed", "Cancelled"].includes(phase)) break;
      await sleep(250);
    }
    const wall = Date.now() - t;
    const status = failover.status!;
    const waves = Math.ceil(count / options.maxConcurrent);
    const ideal = waves * options.resumeDelayMs;
    const rtoMs = (status.rtoSeconds ?? 0) * 1000;
    const startLag = new Date(status.startedAt!).getTime() - t;
    const requestLag: number[] = [];
    const readyLag: number[] = [];
    for (const entry of status.clusters ?? []) {
      const resume = simulator.resumes.get(entry.name);
      if (!resume || !entry.resumeRequestedAt || !entry.readyAt || resume.doneAt === undefined) continue;
      requestLag.push(resume.seenAt - new Date(entry.resumeRequestedAt).getTime());
      readyLag.push(new Date(entry.readyAt).getTime() - resume.doneAt);
    }
    const over = ((rtoMs - ideal) / ideal) * 100;
    console.log(
      `failover of ${count} (maxConcurrent ${options.maxConcurrent}, resume ${seconds(options.resumeDelayMs)}): ` +
        `${status.phase}, ${status.ready}/${status.total} Ready`,
    );
    console.log(
      `  ideal RTO   ceil(${count}/${options.maxConcurrent}) x ${seconds(options.resumeDelayMs)} = ${seconds(ideal)}`,
    );
    console.log(
      `  achieved    ${seconds(rtoMs)} (${over >= 0 ? "+" : ""}${over.toFixed(1)} % of ideal; goal within 10 %)`,
    );
    console.log(`  create -> controller started it   ${ms(startLag)} (not in the RTO)`);
    console.log(`  create -> phase seen ended (CLI)  ${seconds(wall)}`);
    console.log(
      `  where the time goes, per wave (${waves} waves; ${seconds((rtoMs - ideal) / waves)} over ideal each): ` +
        `asked to run -> resume starts (spec write + watch) mean ${ms(mean(requestLag))}, ` +
        `resume done -> failover records Ready (status write + watch + pass) mean ${ms(mean(readyLag))}`,
    );
  } finally {
    await simulator.stop();
  }
}

/**
 * `slipway bench failover`: a private hub (no controller or worker processes), the ClusterFailover controller
 * in this process, and a power simulator that plays the ClusterDeployment controller with a fixed resume delay.
 * Measures the achieved RTO against the ideal ceil(count / maxConcurrent) x delay.
 */
export async function benchFailover(options: BenchFailoverOptions): Promise<number> {
  configureLogging({ level: "warn" });
  await withBenchEnvironment(
    async ({ kube, config, redisUrl }) => {
      const manager = new Manager({ client: kube });
      // No registration runs here: a resumed cluster is back once it runs.
      registerFailover(manager, controllerDependencies(kube, { ...config, redisUrl }), {
        registrationRequired: false,
      });
      await manager.start({ cacheSyncTimeoutMs: 60_000 });
      try {
        for (const count of options.counts) await benchOne(kube, options, count);
      } finally {
        await manager.stop();
      }
    },
    { components: false },
  );
  return 0;
}
