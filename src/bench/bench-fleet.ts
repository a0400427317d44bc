import { setTimeout as sleep } from "node:timers/promises";
import type { BootstrapPolicy } from "../api/index.js";
import { bootstrapPolicyResource, clusterDeploymentResource, namespaceResource } from "../api/resources.js";
import {
  POLICY_EVALUATION_JOB,
  policyEvaluationJob,
  register as registerPolicies,
  type PolicyEvaluationJobData,
  type PolicyEvaluationResult,
} from "../bootstrap/policies/index.js";
import { controllerDependencies } from "../queue/controller-jobs.js";
import { SPOKE_QUEUE } from "../queue/job.js";
import type { JobQueue } from "../queue/job-queue.js";
import { JobWorker } from "../queue/job-worker.js";
import { conditionTime } from "../runtime/conditions.js";
import type { KubeClient } from "../runtime/kube-client.js";
import { configureLogging } from "../runtime/logging.js";
import { Manager } from "../runtime/manager.js";
import { seconds, withBenchEnvironment, zeroDelaySimulated } from "./bench-environment.js";

const NS = "fleet";

/**
 * `slipway bench policies --scenario fleet`: a policy change on N simulated clusters, at fleet sizes where a
 * Pulumi run per cluster would take the machine an hour. The clusters are ClusterDeployments whose provisioned
 * status is written directly (no ClusterDeployment controller runs, no Pulumi); the BootstrapPolicy controllers
 * (in this process, as in `slipway controller`) and the evaluation handler (a spoke-queue worker in this process,
 * as in `slipway worker`) are the real ones, against the real hub and Redis.
 */
export async function benchFleet(options: {
  counts: number[];
  evaluationMs: number;
  perSecond: number;
  concurrency: number;
  /** `rollout`: how a destructive edit reaches the fleet, without and with spec.rollout (destructiveEdit). */
  scenario?: "fleet" | "rollout";
}) {
  configureLogging({ level: "warn" });
  await withBenchEnvironment(
    async ({ config, kube, redisUrl }) => {
      const deps = controllerDependencies(kube, {
        ...config,
        redisUrl,
        worker: { ...config.worker, attempts: 3, backoffMs: 500 },
      });
      const queue = deps.jobs.queue<PolicyEvaluationJobData, PolicyEvaluationResult>(SPOKE_QUEUE);
      const worker = new JobWorker({
        queue: SPOKE_QUEUE,
        redisUrl,
        prefix: config.queuePrefix,
        concurrency: options.concurrency,
        lockDurationMs: 30_000,
        stalledIntervalMs: 30_000,
        maxStalledCount: 2,
      }).handle(POLICY_EVALUATION_JOB, policyEvaluationJob({ kube }));
      const manager = new Manager({ client: kube });
      registerPolicies(manager, deps, { evaluationsPerSecond: options.perSecond });
      manager.add(deps.jobs);
      try {
        await kube.create(namespaceResource, { metadata: { name: NS } });
        await manager.start();
        void worker.run();
        console.log(
          `fleet: policy controller in process, ${options.concurrency} evaluations at once, at most ${options.perSecond} queued per second`,
        );
        for (const count of options.counts)
          if (options.scenario === "rollout") await destructiveEdit(kube, count, options.evaluationMs);
          else await fleet(kube, queue, count, options.evaluationMs);
      } finally {
        await manager.stop();
        await worker.close();
      }
    },
    { components: false },
  );
  return 0;
}

/** `count` simulated ClusterDeployments labelled fleet=`label`, their provisioned status written directly. */
async function writeClusters(kube: KubeClient, label: string, count: number, evaluationMs: number) {
  const platform = { simulated: { ...zeroDelaySimulated.simulated, bootstrapSeconds: evaluationMs / 1000 } };
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async (_, j) => {
        const name = `${label}-${i + j}`;
        await kube.create(clusterDeploymentResource, {
          apiVersion: "slipway.dev/v1alpha1",
          kind: "ClusterDeployment",
          metadata: { name, namespace: NS },
          spec: { clusterName: name, platform, registration: { labels: { fleet: label } } },
        });
        const at = conditionTime(new Date());
        await kube.patch(
          clusterDeploymentResource,
          NS,
          name,
          {
            status: { powerState: "Running", provisionedAt: at, apiURL: `https://simulated.invalid/${name}` },
          },
          { type: "merge", subresource: "status" },
        );
      }),
    );
  }
}

async function fleet(kube: KubeClient, queue: Pick<JobQueue, "counts">, count: number, evaluationMs: number) {
  const label = `f${count}`;
  let t = Date.now();
  await writeClusters(kube, label, count, evaluationMs);
  console.log(`fleet x${count}: clusters written in ${seconds(Date.now() - t)}`);
  const name = `fleet-${count}`;
  const templates = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => ({
      objectDefinition: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `c${i}`, namespace: "default" },
        data: { tag },
      },
    }));
  t = Date.now();
  await kube.create(bootstrapPolicyResource, {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "BootstrapPolicy",
    metadata: { name, namespace: NS },
    spec: {
      clusterSelector: { matchLabels: { fleet: label } },
      evaluationInterval: "1h",
      objectTemplates: templates(3, "v1"),
    },
  });
  await allEvaluated(kube, name, count);
  console.log(`fleet x${count}: new policy -> all ${count} Compliant in ${seconds(Date.now() - t)}`);
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const c = await queue.counts();
      peak = Math.max(peak, (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0));
      await sleep(100);
    }
  })();
  t = Date.now();
  await kube.patch(
    bootstrapPolicyResource,
    NS,
    name,
    { spec: { objectTemplates: templates(4, "v2") } },
    { type: "merge" },
  );
  await allEvaluated(kube, name, count);
  const wall = Date.now() - t;
  sampling = false;
  await sampler;
  console.log(
    `fleet x${count}: policy change -> all ${count} re-evaluated in ${seconds(wall)} (${((count * 1000) / wall).toFixed(0)} evaluations/s, ` +
      `${evaluationMs} ms simulated each; at most ${peak} evaluations queued or running at once)`,
  );
}

async function allEvaluated(kube: KubeClient, name: string, count: number): Promise<void> {
  const deadline = Date.now() + 1_800_000;
  while (Date.now() < deadline) {
    const p = await kube.get<BootstrapPolicy>(bootstrapPolicyResource, NS, name);
    const done = (p.status?.clusters ?? []).filter(
      (c) => c.generation === p.metadata.generation && c.compliant === "Compliant",
    ).length;
    if (done === count) return;
    await sleep(250);
  }
  throw new Error(`${name}: not evaluated on ${count} clusters within 30 minutes`);
}

/** Clusters evaluated with the policy's current generation, whether `broken` is one, and the Ready reason. */
async function reached(
  kube: KubeClient,
  name: string,
  broken: string,
): Promise<{ hit: number; brokenHit: boolean; reason?: string; message?: string }> {
  const p = await kube.get<BootstrapPolicy>(bootstrapPolicyResource, NS, name);
  const ready = (p.status?.conditions ?? []).find((c) => c.type === "Ready");
  const current = (p.status?.clusters ?? []).filter((c) => c.generation === p.metadata.generation);
  return {
    hit: current.length,
    brokenHit: current.some((c) => c.name === broken),
    reason: ready?.reason,
    message: ready?.message,
  };
}

/**
 * `slipway bench policies --scenario rollout`: how a destructive edit reaches the fleet. Two inform policies over
 * the same `count` clusters are Compliant everywhere; then one cluster (the fourth by name) breaks under the
 * change (a Terminal bootstrap failure injected into it), and each policy is edited to enforce a mustnothave:
 * the first as today (no spec.rollout), the second with spec.rollout {maxConcurrent: 1, pauseOnFailure: true}.
 * Prints how many clusters had the new generation (its enforce) when the broken cluster's verdict came in, and in
 * all.
 */
async function destructiveEdit(kube: KubeClient, count: number, evaluationMs: number) {
  const label = `r${count}`;
  await writeClusters(kube, label, count, evaluationMs);
  const names = Array.from({ length: count }, (_, i) => `${label}-${i}`).sort();
  const broken = names[Math.min(3, count - 1)]!;
  const spec = {
    clusterSelector: { matchLabels: { fleet: label } },
    evaluationInterval: "1h",
    remediationAction: "inform",
    objectTemplates: [
      {
        complianceType: "mustnothave",
        objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "legacy-tools" } },
      },
    ],
  };
  for (const name of [`${label}-today`, `${label}-staged`]) {
    await kube.create(bootstrapPolicyResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "BootstrapPolicy",
      metadata: { name, namespace: NS },
      spec,
    });
    await allEvaluated(kube, name, count);
  }
  await kube.patch(
    clusterDeploymentResource,
    NS,
    broken,
    {
      spec: {
        platform: {
          simulated: {
            failures: [{ phase: "Bootstrap", mode: "Terminal", attempts: 0, message: "the change broke it" }],
          },
        },
      },
    },
    { type: "merge" },
  );
  console.log(
    `rollout x${count}: inform Compliant on all ${count}; ${broken} (4th by name) breaks under the change`,
  );
  const enforce = [
    { name: `${label}-today`, how: "no spec.rollout (today)", extra: {} },
    {
      name: `${label}-staged`,
      how: "spec.rollout maxConcurrent 1, pauseOnFailure",
      extra: { rollout: { maxConcurrent: 1, pauseOnFailure: true } },
    },
  ];
  for (const { name, how, extra } of enforce) {
    const t = Date.now();
    await kube.patch(
      bootstrapPolicyResource,
      NS,
      name,
      { spec: { remediationAction: "enforce", ...extra } },
      { type: "merge" },
    );
    // Until every cluster has it, or the rollout pauses; then 10 s more to see that nothing else is reached.
    let atBroken: { hit: number; ms: number } | undefined;
    let now = await reached(kube, name, broken);
    while (now.hit < count && now.reason !== "RolloutPaused" && Date.now() - t < 1_800_000) {
      if (now.brokenHit && !atBroken) atBroken = { hit: now.hit, ms: Date.now() - t };
      await sleep(100);
      now = await reached(kube, name, broken);
    }
    atBroken ??= { hit: now.hit, ms: Date.now() - t };
    const settled = Date.now() - t;
    await sleep(10_000);
    const final = await reached(kube, name, broken);
    console.log(
      `rollout x${count}, ${how}: inform -> enforce mustnothave: ${atBroken.hit} of ${count} clusters had it when ` +
        `${broken}'s failure came in (${seconds(atBroken.ms)}); ${final.hit} of ${count} in all, settled in ` +
        `${seconds(settled)} (Ready ${final.reason}${final.reason === "RolloutPaused" ? `: ${final.message?.slice(0, 140)}...` : ""})`,
    );
  }
}
