/**
 * spec.rollout and the protected set against the real hub and Redis: the BootstrapPolicy controllers and the
 * evaluation handler in this process (as `slipway controller` and `slipway worker` run them), simulated clusters
 * whose provisioned status the test writes (no Pulumi).
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BootstrapPolicy } from "../../../src/api/index.js";
import { bootstrapPolicyResource, clusterDeploymentResource } from "../../../src/api/resources.js";
import {
  POLICY_EVALUATION_JOB,
  policyEvaluationJob,
  register as registerPolicies,
  type PolicyEvaluationJobData,
  type PolicyEvaluationResult,
} from "../../../src/bootstrap/policies/index.js";
import { sampleQueue } from "../../../src/bench/bench-policies.js";
import { SPOKE_QUEUE } from "../../../src/queue/job.js";
import type { JobQueue } from "../../../src/queue/job-queue.js";
import { JobWorker } from "../../../src/queue/job-worker.js";
import { conditionTime, getCondition, type Condition } from "../../../src/runtime/conditions.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { configureLogging } from "../../../src/runtime/logging.js";
import { Manager } from "../../../src/runtime/manager.js";
import { eventually } from "../../harness/eventually.js";
import { testControllerDependencies } from "../../harness/controller-deps.js";
import { hubKubeConfig, newNamespace, testRedisUrl } from "../../harness/hub.js";

let client: KubeClient;
let ns: string;
let manager: Manager;
let queue: JobQueue<PolicyEvaluationJobData, PolicyEvaluationResult>;
let worker: JobWorker;

const CLUSTERS = ["c-0", "c-1", "c-2", "c-3"];

beforeAll(async () => {
  configureLogging({ level: "warn" });
  client = new KubeClient(hubKubeConfig());
  ns = await newNamespace("rollout");
  const redisUrl = testRedisUrl();
  const prefix = `ro-${randomBytes(4).toString("hex")}`;
  // The administrator protects Namespace payments (SLIPWAY_PROTECTED_OBJECTS): admission cannot see that.
  const deps = testControllerDependencies(client, prefix, {
    SLIPWAY_PROTECTED_OBJECTS: "Namespace/payments",
  });
  queue = deps.jobs.queue<PolicyEvaluationJobData, PolicyEvaluationResult>(SPOKE_QUEUE);
  worker = new JobWorker({
    queue: SPOKE_QUEUE,
    redisUrl,
    prefix,
    concurrency: 8,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    maxStalledCount: 2,
  }).handle(POLICY_EVALUATION_JOB, policyEvaluationJob({ kube: client }));
  manager = new Manager({ client, namespaces: [ns] });
  registerPolicies(manager, deps, { evaluationsPerSecond: 50 });
  manager.add(deps.jobs);
  await manager.start({ cacheSyncTimeoutMs: 30_000 });
  void worker.run();
  for (const name of CLUSTERS) {
    await client.create(clusterDeploymentResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterDeployment",
      metadata: { name, namespace: ns },
      spec: {
        clusterName: name,
        registration: { labels: { fleet: "rollout" } },
        platform: { simulated: { provisionSeconds: 0, bootstrapSeconds: 0.3, jitterPercent: 0 } },
      },
    });
    await client.patch(
      clusterDeploymentResource,
      ns,
      name,
      { status: { powerState: "Running", provisionedAt: conditionTime(new Date()) } },
      { type: "merge", subresource: "status" },
    );
  }
}, 120_000);

afterAll(async () => {
  await manager?.stop();
  await worker?.close();
  client?.close();
});

const getPolicy = (name: string) => client.get<BootstrapPolicy>(bootstrapPolicyResource, ns, name);
const ready = (p: BootstrapPolicy) => getCondition(p.status?.conditions as Condition[] | undefined, "Ready");
const generationOf = (p: BootstrapPolicy, cluster: string) =>
  p.status?.clusters?.find((c) => c.name === cluster)?.generation;

function policy(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "BootstrapPolicy",
    metadata: { name, namespace: ns },
    spec: {
      clusterSelector: { matchLabels: { fleet: "rollout" } },
      evaluationInterval: "1h",
      ...spec,
    },
  };
}

describe("spec.rollout", () => {
  it("gives a destructive edit to one cluster at a time, pauses at the first that breaks, and goes on after a spec change", async () => {
    const templates = [
      {
        complianceType: "mustnothave",
        objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "legacy-tools" } },
      },
    ];
    await client.create(
      bootstrapPolicyResource,
      policy("staged", { remediationAction: "inform", objectTemplates: templates }),
    );
    await eventually(
      "inform Compliant on every cluster",
      async () => {
        const p = await getPolicy("staged");
        return p.status?.compliant === "Compliant" && p.status.clusters?.length === CLUSTERS.length;
      },
      60_000,
    );
    // c-2 breaks under the change: its evaluations fail from now on.
    await client.patch(
      clusterDeploymentResource,
      ns,
      "c-2",
      {
        spec: {
          platform: {
            simulated: {
              failures: [
                { phase: "Bootstrap", mode: "Terminal", attempts: 0, message: "the change broke it" },
              ],
            },
          },
        },
      },
      { type: "merge" },
    );

    const sampler = sampleQueue(queue, 50);
    await client.patch(
      bootstrapPolicyResource,
      ns,
      "staged",
      { spec: { remediationAction: "enforce", rollout: { maxConcurrent: 1 } } },
      { type: "merge" },
    );
    const paused = await eventually(
      "rollout paused",
      async () => {
        const p = await getPolicy("staged");
        return ready(p)?.reason === "RolloutPaused" ? p : undefined;
      },
      60_000,
    );
    await sleep(3_000);
    const peak = await sampler.stop();
    const after = await getPolicy("staged");
    expect(peak, "evaluations queued or running at once").toBe(1);
    expect(after.metadata.generation).toBe(2);
    // c-0 and c-1 got it and are Compliant, c-2 got it and broke; c-3 never got it.
    expect(CLUSTERS.map((c) => generationOf(after, c))).toEqual([2, 2, 2, 1]);
    expect(after.status?.clusters?.find((c) => c.name === "c-2")?.compliant).toBe("NonCompliant");
    expect(after.status?.clusters?.find((c) => c.name === "c-3")?.compliant).toBe("Compliant");
    expect(after.status?.rollout).toMatchObject({ generation: 2, pausedCluster: "c-2" });
    expect(after.status?.rollout?.message).toContain("the change broke it");
    expect(ready(paused)).toMatchObject({ status: "False", reason: "RolloutPaused" });
    expect(ready(paused)?.message).toContain("paused at cluster c-2");
    expect(ready(paused)?.message).toContain("1 wait");

    // The cause is fixed and the spec changes (here: a wider rollout): the next generation goes on everywhere.
    await client.patch(
      clusterDeploymentResource,
      ns,
      "c-2",
      { spec: { platform: { simulated: { failures: [] } } } },
      { type: "merge" },
    );
    await client.patch(
      bootstrapPolicyResource,
      ns,
      "staged",
      { spec: { rollout: { maxConcurrent: "50%" } } },
      { type: "merge" },
    );
    const done = await eventually(
      "generation 3 Compliant everywhere",
      async () => {
        const p = await getPolicy("staged");
        return ready(p)?.reason === "Evaluated" && p.status?.compliant === "Compliant" ? p : undefined;
      },
      60_000,
    );
    expect(CLUSTERS.map((c) => generationOf(done, c))).toEqual([3, 3, 3, 3]);
    expect(done.status?.rollout).toEqual({ generation: 3 });
  }, 180_000);
});

describe("the protected set the administrator extends", () => {
  it("an enforce mustnothave of an object admission cannot see is Stalled ProtectedObject, and nothing is queued", async () => {
    const before = await queue.counts();
    await client.create(
      bootstrapPolicyResource,
      policy("protected", {
        remediationAction: "enforce",
        objectTemplates: [
          { objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "fine" } } },
          {
            complianceType: "mustnothave",
            objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "payments" } },
          },
        ],
      }),
    );
    const p = await eventually(
      "Stalled ProtectedObject",
      async () => {
        const got = await getPolicy("protected");
        const stalled = getCondition(got.status?.conditions as Condition[] | undefined, "Stalled");
        return stalled?.status === "True" && stalled.reason === "ProtectedObject" ? got : undefined;
      },
      30_000,
    );
    const stalled = getCondition(p.status?.conditions as Condition[] | undefined, "Stalled")!;
    expect(stalled.message).toContain(
      "spec.objectTemplates[1] (mustnothave, enforce) would delete Namespace payments, which is protected: " +
        "the administrator protects it (SLIPWAY_PROTECTED_OBJECTS entry Namespace/payments)",
    );
    expect(p.status?.clusters ?? []).toEqual([]);
    const after = await queue.counts();
    expect((after.waiting ?? 0) + (after.active ?? 0) + (after.completed ?? 0)).toBe(
      (before.waiting ?? 0) + (before.active ?? 0) + (before.completed ?? 0),
    );
  }, 60_000);
});
