/**
 * A HostedCluster is "a cluster": registration, bootstrap policies, power and failover act on it through the cluster
 * view, with the same phases as on a ClusterDeployment. The controllers run in this process against the real hub
 * and Redis; no HostedCluster controller runs: the test writes the status it would (apiURL, status.kubeconfig,
 * provisionedAt, powerState Running, Available), on the simulated platform (simulated agent and evaluations).
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  BootstrapPolicy,
  ClusterDeployment,
  ClusterFailover,
  HostedCluster,
} from "../../../src/api/index.js";
import {
  bootstrapPolicyResource,
  clusterDeploymentResource,
  clusterFailoverResource,
  hostedClusterResource,
  secretResource,
} from "../../../src/api/resources.js";
import {
  POLICY_EVALUATION_JOB,
  policyEvaluationJob,
  register as registerPolicies,
} from "../../../src/bootstrap/policies/index.js";
import {
  LocalAgents,
  REGISTRATION_JOB,
  register as registerRegistration,
  registrationJob,
} from "../../../src/bootstrap/registration/index.js";
import { managedClusterResource } from "../../../src/bootstrap/registration/resources.js";
import { register as registerFailover } from "../../../src/failover/index.js";
import { ScaledClock } from "../../../src/power/clock.js";
import { register as registerPower } from "../../../src/power/index.js";
import { SPOKE_QUEUE } from "../../../src/queue/job.js";
import { JobWorker } from "../../../src/queue/job-worker.js";
import { getCondition, type Condition } from "../../../src/runtime/conditions.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { configureLogging } from "../../../src/runtime/logging.js";
import { Manager } from "../../../src/runtime/manager.js";
import type { KubeObject } from "../../../src/runtime/resource.js";
import {
  markClusterProvisionedForTest,
  simulatedClusterManifest,
} from "../../builders/cluster-deployment.js";
import { hostedClusterManifest } from "../../builders/hosted-cluster.js";
import { testControllerDependencies } from "../../harness/controller-deps.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, newNamespace } from "../../harness/hub.js";

let client: KubeClient;
let ns: string;
let manager: Manager;
let worker: JobWorker;
const suffix = randomBytes(3).toString("hex");
/** ManagedClusters are cluster-scoped: names unique across files. */
const hubName = (name: string) => `${name}-${suffix}`;
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

beforeAll(async () => {
  configureLogging({ level: process.env.SLIPWAY_LOG_LEVEL === "debug" ? "debug" : "warn" });
  client = new KubeClient(hubKubeConfig());
  ns = await newNamespace("hc-view");
  const deps = testControllerDependencies(client, `hcv-${suffix}`);
  manager = new Manager({ client, namespaces: [ns] });
  registerRegistration(manager, deps);
  registerPolicies(manager, deps);
  // Schedule time 20 times real time: a cron minute is 3 real seconds (what a loaded machine keeps up with).
  registerPower(manager, deps, { clock: new ScaledClock(20) });
  registerFailover(manager, deps);
  manager.add(deps.jobs);
  const { config } = deps;
  worker = new JobWorker({
    queue: SPOKE_QUEUE,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    concurrency: 8,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    maxStalledCount: 2,
  })
    .handle(
      REGISTRATION_JOB,
      registrationJob({
        config,
        kube: client,
        localAgents: new LocalAgents({
          stateDir: config.stateDir,
          binary: join(config.toolsBinDir, "ocm-registration"),
        }),
      }),
    )
    .handle(POLICY_EVALUATION_JOB, policyEvaluationJob({ kube: client }));
  await manager.start({ cacheSyncTimeoutMs: 30_000 });
  void worker.run();
}, 60_000);

afterAll(async () => {
  for (const cd of (await client.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns })).items)
    await client.delete(clusterDeploymentResource, ns, cd.metadata.name!).catch(() => undefined);
  for (const hc of (await client.list<HostedCluster>(hostedClusterResource, { namespace: ns })).items)
    await client.delete(hostedClusterResource, ns, hc.metadata.name!).catch(() => undefined);
  // Registration's finalizer takes the ManagedClusters with it.
  await eventually(
    "the HostedClusters deregistered and gone",
    async () => (await client.list(hostedClusterResource, { namespace: ns })).items.length === 0,
    30_000,
  ).catch(() => undefined);
  await manager?.stop();
  await worker?.close();
  client?.close();
});

/** A simulated HostedCluster whose status says what the HostedCluster controller would once it is Available. */
async function availableHostedCluster(
  name: string,
  spec: Record<string, unknown> = {},
  labels: Record<string, string> = {},
): Promise<HostedCluster> {
  const manifest = hostedClusterManifest(name, {
    platform: { simulated: { provisionSeconds: 0 } },
    ...spec,
  } as never);
  await client.create(hostedClusterResource, {
    ...manifest,
    metadata: { name, namespace: ns, labels },
  } as KubeObject);
  await client.create(secretResource, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `${name}-admin-kubeconfig`, namespace: ns },
    data: { kubeconfig: Buffer.from(`apiVersion: v1\nkind: Config\n`).toString("base64") },
  } as KubeObject);
  const condition = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: `set by the test as the HostedCluster controller would (${reason})`,
    lastTransitionTime: now(),
  });
  return client.patch<HostedCluster>(
    hostedClusterResource,
    ns,
    name,
    {
      status: {
        platform: "simulated",
        apiURL: `https://${name}.test:6443`,
        kubeconfig: { name: `${name}-admin-kubeconfig` },
        provisionedAt: now(),
        powerState: "Running",
        conditions: [
          condition("Available", "True", "AsExpected"),
          condition("Ready", "True", "AsExpected"),
          condition("Progressing", "False", "AsExpected"),
        ],
      },
    },
    { type: "merge", subresource: "status" },
  );
}

/** A simulated ClusterDeployment (no controller runs) whose status the test writes: provisioned, in `powerState`. */
async function provisionedClusterDeployment(
  name: string,
  labels: Record<string, string>,
  powerState: "Running" | "Hibernating" = "Running",
): Promise<void> {
  const manifest = simulatedClusterManifest(name, { provisionSeconds: 0 });
  const cd = await client.create<ClusterDeployment>(clusterDeploymentResource, {
    ...manifest,
    metadata: { name, namespace: ns, labels },
    spec: { ...manifest.spec, powerState },
  } as never);
  await markClusterProvisionedForTest(client, cd, { powerState });
}

const getHc = (name: string) => client.get<HostedCluster>(hostedClusterResource, ns, name);
const conditionOf = (hc: HostedCluster, type: string) =>
  getCondition(hc.status?.conditions as Condition[] | undefined, type);

describe("a HostedCluster is a cluster to registration, bootstrap, power and failover", () => {
  it("is registered with the hub (ManagedCluster named after it) and joined by the simulated agent", async () => {
    const name = hubName("reg");
    await availableHostedCluster(name, { registration: { enabled: true } });
    const hc = await eventually(
      "Registered and Joined on the HostedCluster",
      async () => {
        const h = await getHc(name);
        return (
          conditionOf(h, "Registered")?.status === "True" && conditionOf(h, "Joined")?.status === "True" && h
        );
      },
      60_000,
    );
    expect(hc.status?.registration).toMatchObject({ type: "register", result: "Succeeded" });
    const managed = await client.get<KubeObject>(managedClusterResource, undefined, name);
    expect(managed.metadata?.labels).toMatchObject({ "slipway.dev/platform": "simulated" });
    expect(managed.metadata?.annotations?.["slipway.dev/cluster-deployment"]).toBe(`${ns}/${name}`);
  });

  it("gets a BootstrapPolicy evaluated on it and is Bootstrapped", async () => {
    const name = hubName("boot");
    await availableHostedCluster(name, {}, { tier: "hosted" });
    await client.create(bootstrapPolicyResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "BootstrapPolicy",
      metadata: { name: "hosted-ns", namespace: ns },
      spec: {
        clusterSelector: { matchLabels: { tier: "hosted" } },
        remediationAction: "enforce",
        objectTemplates: [
          {
            complianceType: "musthave",
            objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-hosted" } },
          },
        ],
      },
    } as KubeObject);
    const policy = await eventually(
      "the policy's entry for the HostedCluster is Compliant",
      async () => {
        const p = await client.get<BootstrapPolicy>(bootstrapPolicyResource, ns, "hosted-ns");
        return p.status?.clusters?.find((e) => e.name === name)?.compliant === "Compliant" && p;
      },
      60_000,
    );
    expect(policy.status?.clusters).toHaveLength(1);
    const hc = await eventually("Bootstrapped on the HostedCluster", async () => {
      const h = await getHc(name);
      return conditionOf(h, "Bootstrapped")?.status === "True" && h;
    });
    expect(hc.status?.bootstrap).toMatchObject({ policies: 1, compliantPolicies: 1 });
  });

  it("is hibernated by a schedule on the test clock: the power controller writes spec.powerState", async () => {
    const name = hubName("sched");
    // Even minutes sleep, odd minutes wake (a start with no end would strand the cluster and is not acted on).
    await availableHostedCluster(name, {
      hibernation: { schedules: [{ start: "*/2 * * * *", end: "1-59/2 * * * *", location: "UTC" }] },
    });
    const hc = await eventually(
      "a schedule trigger applied Hibernating to spec.powerState",
      async () => {
        const h = await getHc(name);
        const last = h.status?.power?.lastTrigger;
        return last?.powerState === "Hibernating" && last.outcome === "Applied" && h;
      },
      60_000,
    );
    expect(hc.status?.power).toMatchObject({
      lastTrigger: { source: "Schedule", powerState: "Hibernating" },
    });
    expect(conditionOf(hc, "Scheduled")?.status).toBe("True");
    // The write is the power controller's: spec.powerState carries its field manager.
    const managers = (hc.metadata.managedFields ?? []) as { manager?: string }[];
    expect(managers.map((f) => f.manager)).toContain("slipway-power");
  });

  it("is selected and resumed by a ClusterFailover", async () => {
    const name = hubName("standby");
    await availableHostedCluster(name, { powerState: "Hibernating" }, { role: "standby" });
    await client.patch(
      hostedClusterResource,
      ns,
      name,
      { status: { powerState: "Hibernating" } },
      { type: "merge", subresource: "status" },
    );
    await client.create(clusterFailoverResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterFailover",
      metadata: { name: "to-hosted", namespace: ns },
      spec: { standby: { selector: { matchLabels: { role: "standby" } } }, maxConcurrent: 1 },
    } as KubeObject);
    const asked = await eventually("the failover asks the HostedCluster to run", async () => {
      const h = await getHc(name);
      return h.spec.powerState === "Running" && h;
    });
    expect(asked.metadata.annotations?.["slipway.dev/failover"]).toBe("to-hosted");
    // The status write follows the patch that asked the cluster to run.
    const failover = await eventually("the failover's status lists the HostedCluster", async () => {
      const f = await client.get<ClusterFailover>(clusterFailoverResource, ns, "to-hosted");
      return f.status?.clusters && f;
    });
    expect(failover.status?.clusters?.map((c) => [c.kind, c.name])).toEqual([["HostedCluster", name]]);
  });

  it("tells a ClusterDeployment and a HostedCluster of one name apart: a policy and a failover each list both", async () => {
    // Both named `twin`, in one namespace: once entries were keyed by name alone, they were one cluster.
    const twin = hubName("twin");
    await availableHostedCluster(twin, {}, { pair: "policy" });
    await provisionedClusterDeployment(twin, { pair: "policy" });
    await client.create(bootstrapPolicyResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "BootstrapPolicy",
      metadata: { name: "twins", namespace: ns },
      spec: {
        clusterSelector: { matchLabels: { pair: "policy" } },
        objectTemplates: [
          {
            complianceType: "musthave",
            objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } },
          },
        ],
      },
    } as KubeObject);
    const policy = await eventually(
      "the policy has evaluated both clusters named twin",
      async () => {
        const p = await client.get<BootstrapPolicy>(bootstrapPolicyResource, ns, "twins");
        const entries = p.status?.clusters ?? [];
        return entries.length === 2 && entries.every((e) => e.lastEvaluated) && p;
      },
      60_000,
    );
    expect(policy.status?.clusters?.map((e) => [e.kind, e.name])).toEqual([
      ["ClusterDeployment", twin],
      ["HostedCluster", twin],
    ]);
    for (const [resource, what] of [
      [hostedClusterResource, "HostedCluster"],
      [clusterDeploymentResource, "ClusterDeployment"],
    ] as const) {
      await eventually(`the ${what}'s own Bootstrapped from its own entry`, async () => {
        const cluster = await client.get<HostedCluster>(resource, ns, twin);
        return cluster.status?.bootstrap?.policies === 1 && conditionOf(cluster, "Bootstrapped");
      });
    }

    const standby = hubName("twin-standby");
    await availableHostedCluster(standby, { powerState: "Hibernating" }, { pair: "failover" });
    await client.patch(
      hostedClusterResource,
      ns,
      standby,
      { status: { powerState: "Hibernating" } },
      { type: "merge", subresource: "status" },
    );
    await provisionedClusterDeployment(standby, { pair: "failover" }, "Hibernating");
    await client.create(clusterFailoverResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterFailover",
      metadata: { name: "to-twins", namespace: ns },
      spec: { standby: { selector: { matchLabels: { pair: "failover" } } } },
    } as KubeObject);
    await eventually("the failover asks both clusters named twin-standby to run", async () => {
      const hc = await getHc(standby);
      const cd = await client.get<ClusterDeployment>(clusterDeploymentResource, ns, standby);
      return hc.spec.powerState === "Running" && cd.spec.powerState === "Running";
    });
    const failover = await eventually("the failover's status lists both", async () => {
      const f = await client.get<ClusterFailover>(clusterFailoverResource, ns, "to-twins");
      return f.status?.clusters?.length === 2 && f;
    });
    expect(failover.status?.clusters?.map((e) => [e.kind, e.name])).toEqual([
      ["ClusterDeployment", standby],
      ["HostedCluster", standby],
    ]);
    expect(failover.status?.total).toBe(2);
  });
});
