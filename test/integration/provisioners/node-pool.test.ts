/**
 * The NodePool controller in-process against ONE real hosted control plane (HostedControlPlane: kube-apiserver,
 * kube-controller-manager and a real kube-scheduler over a shared etcd) whose admin kubeconfig sits in a Secret
 * that a hand-written HostedCluster names, as the HostedCluster controller writes it. Every pool of the file
 * shares that hosted API; time for scaleDownDelay is the test's clock, never a sleep.
 */
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodePool } from "../../../src/api/index.js";
import { hostedClusterResource, nodePoolResource, secretResource } from "../../../src/api/resources.js";
import { HostedControlPlane } from "../../../src/local/hosted-control-plane.js";
import { kubectl as runKubectl } from "../../../src/local/kubectl.js";
import type { NodeHeartbeat } from "../../../src/provisioners/node-pool/heartbeat.js";
import {
  nodeResource,
  podResource,
  type HostedNode,
  type HostedPod,
} from "../../../src/provisioners/node-pool/hosted-objects.js";
import { register } from "../../../src/provisioners/node-pool/index.js";
import {
  EMPTY_SINCE_ANNOTATION,
  isNodeReady,
  NODE_POOL_LABEL,
  NODE_VERSION_LABEL,
} from "../../../src/provisioners/node-pool/nodes.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { configureLogging } from "../../../src/runtime/logging.js";
import { Manager } from "../../../src/runtime/manager.js";
import { toolsBinDir } from "../../../src/runtime/paths.js";
import { testControllerDependencies } from "../../harness/controller-deps.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, kubectl, newNamespaces, testStateDir } from "../../harness/hub.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

const VERSION = "1.36.3";
let manager: Manager;
let heartbeat: NodeHeartbeat;
let hub: KubeClient;
let hosted: KubeClient;
let controlPlane: HostedControlPlane;
let hostedKubeconfigPath: string;
let dataDir: string;
const tempFolder = temporaryFolders("node-pool-");
let ns: string;
/** The controller's clock: real time plus what a test adds. */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

const nowTime = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

async function hostedCluster(
  name: string,
  secretName: string,
  platform: object = { local: {} },
): Promise<void> {
  await hub.create(hostedClusterResource, {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "HostedCluster",
    metadata: { name, namespace: ns },
    spec: { release: { version: VERSION }, platform, registration: { enabled: false } },
  });
  // What the HostedCluster controller writes once the control plane serves its API.
  await hub.patch(
    hostedClusterResource,
    ns,
    name,
    {
      status: {
        kubeconfig: { name: secretName },
        conditions: [
          {
            type: "Available",
            status: "True",
            reason: "ControlPlaneAvailable",
            message: "test",
            lastTransitionTime: nowTime(),
          },
        ],
      },
    },
    { type: "merge", subresource: "status" },
  );
}

beforeAll(async () => {
  configureLogging({ level: "warn" });
  hub = new KubeClient(hubKubeConfig());
  ({ np: ns } = await newNamespaces(["np"] as const));
  dataDir = tempFolder(testStateDir());
  controlPlane = new HostedControlPlane({
    name: "np-hosted",
    dataDir: join(dataDir, "cp"),
    sharedEtcdDir: join(dataDir, "etcd"),
    etcdPrefix: "/np-hosted",
    binDir: toolsBinDir,
  });
  const { kubeconfig } = await controlPlane.start();
  hostedKubeconfigPath = controlPlane.kubeconfigPath;
  const config = new KubeConfig();
  config.loadFromString(kubeconfig);
  hosted = new KubeClient(config);
  await hub.create(secretResource, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "hosted-admin-kubeconfig", namespace: ns },
    data: { kubeconfig: Buffer.from(kubeconfig).toString("base64") },
  });
  await hostedCluster("hosted", "hosted-admin-kubeconfig");
  manager = new Manager({ client: hub, namespaces: [ns] });
  const deps = testControllerDependencies(hub, `np-${ns}`);
  heartbeat = register(manager, deps, {
    clock,
    scanIntervalMs: 500,
    healthIntervalMs: 2_000,
    heartbeatIntervalMs: 2_000,
  });
  manager.add(deps.jobs);
  await manager.start({ cacheSyncTimeoutMs: 30_000 });
}, 120_000);

afterAll(async () => {
  await manager?.stop();
  heartbeat?.stop();
  await controlPlane?.destroy();
}, 60_000);

function nodePool(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "NodePool",
    metadata: { name, namespace: ns },
    spec: { clusterName: "hosted", platform: { local: {} }, ...spec },
  };
}

const getPool = (name: string) => hub.get<NodePool>(nodePoolResource, ns, name);
const condition = (pool: NodePool, type: string) => pool.status?.conditions?.find((c) => c.type === type);

async function poolNodes(pool: string): Promise<HostedNode[]> {
  return (await hosted.list<HostedNode>(nodeResource, { labelSelector: `${NODE_POOL_LABEL}=${pool}` })).items;
}

/** Waits until the hosted API has exactly `count` Ready nodes of the pool and the pool says so. */
async function readyNodes(pool: string, count: number, timeoutMs = 20_000): Promise<HostedNode[]> {
  return eventually(
    `${String(count)} Ready node(s) of ${pool} in the hosted API`,
    async () => {
      const nodes = await poolNodes(pool);
      const status = (await getPool(pool)).status;
      return nodes.length === count &&
        nodes.every(isNodeReady) &&
        status?.readyReplicas === count &&
        condition((await getPool(pool))!, "Ready")?.status === "True"
        ? nodes
        : undefined;
    },
    timeoutMs,
  );
}

const hostedKubectl = (args: string[], input?: string) =>
  runKubectl(toolsBinDir, hostedKubeconfigPath, args, input);

describe("NodePool controller on a real hosted API", () => {
  it("a pool scaled 0 -> 3 -> 1 by kubectl scale shows 0, 3 and then 1 Ready Node; deleting it removes them", async () => {
    await hub.create(nodePoolResource, nodePool("fixed", { replicas: 0 }));
    await readyNodes("fixed", 0);

    const up = await kubectl(["scale", "-n", ns, "np/fixed", "--replicas=3"]);
    expect(up.code, up.stderr).toBe(0);
    const three = await readyNodes("fixed", 3);
    expect(three[0]!.metadata?.name).toMatch(/^fixed-sim-/);
    expect(three[0]!.metadata?.labels).toMatchObject({ "slipway.dev/simulated-node": "true" });
    expect(three[0]!.status?.allocatable).toMatchObject({ cpu: "4", memory: "16Gi", pods: "110" });
    const leases = await hostedKubectl(["get", "leases", "-n", "kube-node-lease", "-o", "name"]);
    for (const node of three)
      expect(leases.stdout).toContain(`lease.coordination.k8s.io/${node.metadata!.name!}`);

    expect((await kubectl(["scale", "-n", ns, "np/fixed", "--replicas=1"])).code).toBe(0);
    await readyNodes("fixed", 1);

    await hub.delete(nodePoolResource, ns, "fixed");
    await eventually("the deleted pool's node gone", async () => (await poolNodes("fixed")).length === 0);
  });

  it("an autoscaled pool (min 0, max 5) grows for 10 pods the scheduler cannot place and shrinks after scaleDownDelay", async () => {
    await hub.create(
      nodePoolResource,
      nodePool("auto", {
        autoScaling: { min: 0, max: 5, scaleDownDelay: "10m" },
        platform: { local: { instanceType: "sim.small" } },
        taints: [{ key: "pool", value: "auto", effect: "NoSchedule" }],
      }),
    );
    // kubectl scale writes spec.replicas: admission refuses it beside autoScaling.
    const scaled = await kubectl(["scale", "-n", ns, "np/auto", "--replicas=2"]);
    expect(scaled.code).not.toBe(0);
    expect(scaled.stderr).toContain("replicas and autoScaling are mutually exclusive");

    // 10 pods of 700m cpu: 2 fit a sim.small node (2 cpu), so they need 5 nodes.
    const pods = Array.from({ length: 10 }, (_, i) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `work-${String(i)}`, namespace: "default" },
      spec: {
        automountServiceAccountToken: false,
        tolerations: [{ key: "pool", operator: "Equal", value: "auto", effect: "NoSchedule" }],
        containers: [{ name: "c", image: "none", resources: { requests: { cpu: "700m", memory: "1Gi" } } }],
      },
    }));
    await eventually("pods created (the default ServiceAccount exists)", async () => {
      const r = await hostedKubectl(
        ["apply", "-f", "-"],
        JSON.stringify({ apiVersion: "v1", kind: "List", items: pods }),
      );
      if (r.code !== 0) throw new Error(r.stderr);
      return true;
    });
    const grown = await readyNodes("auto", 5, 40_000);
    expect(grown[0]!.spec?.taints).toEqual([{ key: "pool", value: "auto", effect: "NoSchedule" }]);
    await eventually("every pod bound by the scheduler", async () => {
      const list = (await hosted.list<HostedPod>(podResource, { namespace: "default" })).items;
      return list.filter((p) => p.spec?.nodeName).length === 10;
    });
    const pool = await getPool("auto");
    expect(pool.status?.autoscaling?.lastScaleUpTime).toBeDefined();
    const events = await kubectl([
      "get",
      "events",
      "-n",
      ns,
      "--field-selector",
      "reason=ScaledUpGroup",
      "-o",
      "jsonpath={.items[*].message}",
    ]);
    expect(events.stdout).toContain("Scale-up: setting group size to");

    const deleted = await hostedKubectl([
      "delete",
      "pods",
      "--all",
      "-n",
      "default",
      "--grace-period=0",
      "--force",
    ]);
    expect(deleted.code, deleted.stderr).toBe(0);
    // All five, not just some: a pass that listed the pods mid-deletion marks only the nodes already empty, and a
    // node marked after the clock moves waits its own 10 minutes.
    await eventually("all 5 nodes marked empty and waiting out scaleDownDelay", async () => {
      const p = await getPool("auto");
      const nodes = await poolNodes("auto");
      return (
        p.status?.autoscaling?.reason === "ScaleDownCandidatesPresent" &&
        p.status.autoscaling.message?.startsWith("5 nodes empty") === true &&
        nodes.length === 5 &&
        nodes.every((n) => n.metadata?.annotations?.[EMPTY_SINCE_ANNOTATION] !== undefined)
      );
    });
    offsetMs += 11 * 60_000;
    await readyNodes("auto", 0, 20_000);
    const after = await getPool("auto");
    expect(after.status?.autoscaling).toMatchObject({ min: 0, max: 5, desiredReplicas: 0 });
    expect(Date.parse(after.status!.autoscaling!.lastScaleDownTime!)).toBeGreaterThan(
      Date.now() + 10 * 60_000,
    );
    const scaleDowns = await kubectl([
      "get",
      "events",
      "-n",
      ns,
      "--field-selector",
      "reason=ScaleDown",
      "-o",
      "jsonpath={.items[*].message}",
    ]);
    expect(scaleDowns.stdout).toContain("Scale-down: removing empty node(s) auto-sim-");
  });

  it("a Replace upgrade keeps at least replicas - maxUnavailable nodes Ready and ends with every node at the new version", async () => {
    await hub.create(
      nodePoolResource,
      nodePool("rolling", {
        replicas: 3,
        management: { upgradeType: "Replace", maxUnavailable: 1, maxSurge: 0 },
      }),
    );
    await readyNodes("rolling", 3);
    const before = new Set((await poolNodes("rolling")).map((n) => n.metadata!.name!));
    await hub.patch(
      nodePoolResource,
      ns,
      "rolling",
      { spec: { release: { version: "1.36.4" } } },
      { type: "merge" },
    );
    let fewestReady = 3;
    let sawUpdating = false;
    await eventually(
      "every node replaced at 1.36.4",
      async () => {
        const nodes = await poolNodes("rolling");
        fewestReady = Math.min(fewestReady, nodes.filter(isNodeReady).length);
        const pool = await getPool("rolling");
        if (condition(pool, "UpdatingVersion")?.status === "True") sawUpdating = true;
        return (
          nodes.length === 3 &&
          nodes.every(
            (n) => n.metadata?.labels?.[NODE_VERSION_LABEL] === "1.36.4" && !before.has(n.metadata!.name!),
          ) &&
          nodes.every((n) => n.status?.nodeInfo?.kubeletVersion === "v1.36.4") &&
          pool.status?.version === "1.36.4"
        );
      },
      30_000,
      50,
    );
    expect(fewestReady).toBeGreaterThanOrEqual(2);
    expect(sawUpdating).toBe(true);
  });

  it("a pool naming a HostedCluster that does not exist waits and binds when it appears; another platform stalls", async () => {
    await hub.create(nodePoolResource, {
      ...nodePool("late", { replicas: 1 }),
      spec: { clusterName: "later", platform: { local: {} }, replicas: 1 },
    });
    await eventually("WaitingForHostedCluster", async () => {
      const ready = condition(await getPool("late"), "Ready");
      return ready?.status === "False" && ready.reason === "WaitingForHostedCluster";
    });
    await hostedCluster("later", "hosted-admin-kubeconfig");
    await readyNodes("late", 1);

    await hub.create(nodePoolResource, nodePool("other", { replicas: 1, platform: { simulated: {} } }));
    const stalled = await eventually("Stalled PlatformMismatch", async () => {
      const c = condition(await getPool("other"), "Stalled");
      return c?.status === "True" && c.reason === "PlatformMismatch" ? c : undefined;
    });
    expect(stalled.message).toContain("spec.platform is simulated but HostedCluster hosted is on local");
    await hub.delete(nodePoolResource, ns, "other");
    await eventually("the stalled pool deleted", async () =>
      (await hub.getIfExists(nodePoolResource, ns, "other")) === undefined ? true : undefined,
    );
  });

  it("a pool deleted while its HostedCluster hibernates waits to remove its nodes, and goes once the API is back", async () => {
    // A second HostedCluster on the file's hosted API, so hibernating it leaves the other pools alone.
    await hostedCluster("sleepy", "hosted-admin-kubeconfig");
    await hub.create(nodePoolResource, {
      ...nodePool("doze", { replicas: 2 }),
      spec: { clusterName: "sleepy", platform: { local: {} }, replicas: 2 },
    });
    await readyNodes("doze", 2);
    // What the HostedCluster controller writes while the control plane hibernates: no API to reach.
    const power = (powerState: string, available: boolean) =>
      hub.patch(
        hostedClusterResource,
        ns,
        "sleepy",
        {
          status: {
            powerState,
            conditions: [
              {
                type: "Available",
                status: available ? "True" : "False",
                reason: available ? "ControlPlaneAvailable" : "Hibernating",
                message: "test",
                lastTransitionTime: nowTime(),
              },
            ],
          },
        },
        { type: "merge", subresource: "status" },
      );
    await hub.patch(
      hostedClusterResource,
      ns,
      "sleepy",
      { spec: { powerState: "Hibernating" } },
      { type: "merge" },
    );
    await power("Hibernating", false);
    await eventually("the pool waits for its cluster", async () => {
      const ready = condition(await getPool("doze"), "Ready");
      return ready?.reason === "WaitingForHostedCluster";
    });

    await hub.delete(nodePoolResource, ns, "doze");
    const waiting = await eventually("the deleted pool waits to remove its nodes", async () => {
      const ready = condition(await getPool("doze"), "Ready");
      return ready?.reason === "WaitingToRemoveNodes" ? ready : undefined;
    });
    expect(waiting.message).toContain("the pool's 2 node(s) are objects in HostedCluster sleepy's API");
    expect(waiting.message).toContain("resume the cluster (slipway resume sleepy)");
    expect(await poolNodes("doze")).toHaveLength(2);

    await hub.patch(
      hostedClusterResource,
      ns,
      "sleepy",
      { spec: { powerState: "Running" } },
      { type: "merge" },
    );
    await power("Running", true);
    await eventually("the pool gone once its nodes are", async () =>
      (await hub.getIfExists(nodePoolResource, ns, "doze")) === undefined &&
      (await poolNodes("doze")).length === 0
        ? true
        : undefined,
    );
  });

  it("on a simulated HostedCluster (no API) the nodes are counts in status, Ready after nodeReadySeconds", async () => {
    await hostedCluster("sim", "no-such-secret", { simulated: {} });
    await hub.create(nodePoolResource, {
      ...nodePool("counted", {}),
      spec: { clusterName: "sim", platform: { simulated: { nodeReadySeconds: 0 } }, replicas: 2 },
    });
    const pool = await eventually("2 simulated nodes Ready in status", async () => {
      const p = await getPool("counted");
      return p.status?.readyReplicas === 2 && condition(p, "Ready")?.status === "True" ? p : undefined;
    });
    expect(pool.status).toMatchObject({
      replicas: 2,
      desiredReplicas: 2,
      nodes: "StatusOnly",
      version: VERSION,
    });
  });
});
