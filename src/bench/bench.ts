import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterDeployment } from "../api/index.js";
import { clusterDeploymentResource, namespaceResource } from "../api/resources.js";
import { instantSimulatedInputs } from "./pulumi-bench.js";
import { PulumiRunner } from "../queue/pulumi-runner.js";
import { resolvePassphrase } from "../queue/passphrase.js";

import type { SlipwayConfig } from "../runtime/config.js";
import type { KubeClient } from "../runtime/kube-client.js";
import {
  benchStackQueue,
  isReady,
  seconds,
  waitForReady,
  withBenchEnvironment,
  zeroDelaySimulated,
  type StackQueue,
} from "./bench-environment.js";

/**
 * Waits until every named ClusterDeployment is Ready in `powerState`, with one LIST of the namespace every
 * 250 ms (not one poller per cluster, which would load the hub the bench measures).
 */
async function waitForAll(
  kube: KubeClient,
  ns: string,
  names: string[],
  powerState: string,
  timeoutMs: number,
): Promise<ClusterDeployment[]> {
  const deadline = Date.now() + timeoutMs;
  const ready = new Map<string, ClusterDeployment>();
  while (ready.size < names.length) {
    if (Date.now() > deadline) {
      const waiting = names.filter((n) => !ready.has(n));
      throw new Error(
        `${waiting.length} of ${names.length} did not reach ${powerState} within ${timeoutMs / 1000}s: ${waiting.slice(0, 5).join(", ")}`,
      );
    }
    for (const cd of (await kube.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns }))
      .items) {
      if (names.includes(cd.metadata!.name!) && isReady(cd, powerState)) ready.set(cd.metadata!.name!, cd);
    }
    if (ready.size < names.length) await sleep(250);
  }
  return names.map((n) => ready.get(n)!);
}

function clusterDeployment(name: string, platform: Record<string, unknown>) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name },
    spec: { clusterName: name, platform },
  };
}

async function benchLocal(kube: KubeClient, queue: StackQueue, ns: string): Promise<void> {
  let t = Date.now();
  await kube.create(clusterDeploymentResource, {
    ...clusterDeployment("bench-local", { local: {} }),
    metadata: { name: "bench-local", namespace: ns },
  });
  const ready = await waitForReady(kube, ns, "bench-local", "Running");
  const readyAt = Date.now();
  console.log(`local: apply -> Ready            ${seconds(readyAt - t)}`);
  const job = await queue.lookup(ready.status!.stack!.jobId);
  if (job.finishedAt)
    console.log(
      `local: controller overhead      ${seconds(Math.max(0, readyAt - job.finishedAt.getTime()))} (Pulumi run finished -> Ready seen in status, 50 ms polling)`,
    );
  t = Date.now();
  await kube.patch(
    clusterDeploymentResource,
    ns,
    "bench-local",
    { spec: { powerState: "Hibernating" } },
    { type: "merge" },
  );
  await waitForReady(kube, ns, "bench-local", "Hibernating");
  console.log(`local: hibernate -> Hibernating ${seconds(Date.now() - t)}`);
  t = Date.now();
  await kube.patch(
    clusterDeploymentResource,
    ns,
    "bench-local",
    { spec: { powerState: "Running" } },
    { type: "merge" },
  );
  await waitForReady(kube, ns, "bench-local", "Running");
  console.log(`local: resume -> Ready          ${seconds(Date.now() - t)}`);
  await kube.delete(clusterDeploymentResource, ns, "bench-local");
}

async function benchSimulated(
  kube: KubeClient,
  queue: StackQueue,
  config: SlipwayConfig,
  ns: string,
  count: number,
): Promise<void> {
  const sim = zeroDelaySimulated;
  const t = Date.now();
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const name = `sim-${String(i).padStart(3, "0")}`;
      return kube.create(clusterDeploymentResource, {
        ...clusterDeployment(name, sim),
        metadata: { name, namespace: ns },
      });
    }),
  );
  const ready = await waitForAll(
    kube,
    ns,
    Array.from({ length: count }, (_, i) => `sim-${String(i).padStart(3, "0")}`),
    "Running",
    900_000,
  );
  const wall = Date.now() - t;
  const runs = await Promise.all(ready.map((cd) => queue.lookup(cd.status!.stack!.jobId)));
  const durations = runs.map((j) => j.result?.durationMs ?? 0);
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  console.log(
    `simulated: ${count} applied at once -> all Ready  ${seconds(wall)} (worker concurrency ${config.worker.concurrency})`,
  );
  console.log(`simulated: mean Pulumi run per cluster (in a job) ${seconds(mean)}`);

  const runner = new PulumiRunner({
    toolsBinDir: config.toolsBinDir,
    stateDir: join(config.stateDir, "bare"),
    passphrase: resolvePassphrase(config),
  });
  const bare: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = Date.now();
    await runner.run({
      platform: "simulated",
      stackName: `bare-${i}`,
      operation: "up",
      inputs: instantSimulatedInputs(`bare-${i}`),
    });
    bare.push(Date.now() - start);
  }
  const bareMean = bare.reduce((a, b) => a + b, 0) / bare.length;
  console.log(
    `simulated: bare Automation API pulumi up (same program, no queue/controller), mean of 3  ${seconds(bareMean)}`,
  );
  console.log(
    `simulated: through Slipway ${seconds(wall / count)} of wall time per cluster (${((count * 60_000) / wall).toFixed(1)} clusters/min) ` +
      `against ${seconds(bareMean)} for one bare up after another`,
  );
}

/**
 * `slipway bench clusters`: starts a private dev environment (hub, Redis, controller, worker) in a temporary
 * state folder, measures, prints figures and stops everything. `slipway bench claims` is in bench-claims.ts.
 */
export async function benchClusters(options: {
  count: number;
  scenario: "local" | "simulated" | "all";
}): Promise<number> {
  const { count, scenario } = options;
  await withBenchEnvironment(async ({ config, kube, redisUrl }) => {
    const queue = benchStackQueue({ config, redisUrl });
    try {
      await kube.create(namespaceResource, { metadata: { name: "bench" } });
      if (scenario !== "simulated") await benchLocal(kube, queue, "bench");
      if (scenario !== "local") await benchSimulated(kube, queue, config, "bench", count);
    } finally {
      await queue.close();
    }
  });
  return 0;
}
