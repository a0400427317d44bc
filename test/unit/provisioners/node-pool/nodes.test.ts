import { describe, expect, it } from "vitest";
import type { NodePool } from "../../../../src/api/node-pool.js";
import {
  isUnschedulable,
  podRequests,
  simulatedNode,
  takenByEarlierPool,
  type PendingPod,
} from "../../../../src/provisioners/node-pool/index.js";
import type { HostedPod } from "../../../../src/provisioners/node-pool/hosted-objects.js";

function pool(name: string, spec: Partial<NodePool["spec"]> = {}, replicas = 0): NodePool {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "NodePool",
    metadata: { name, namespace: "team" },
    spec: {
      clusterName: "hosted",
      platform: { local: { instanceType: "sim.small" } },
      autoScaling: { min: 0, max: 3, scaleDownDelay: "10m" },
      management: { upgradeType: "Replace", autoRepair: false, maxUnavailable: 0, maxSurge: 1 },
      ...spec,
    } as NodePool["spec"],
    status: { replicas },
  };
}

const pod = (cpuMilli: number, extra: Partial<PendingPod> = {}): PendingPod => ({
  name: "default/p",
  requests: { cpuMilli, memoryBytes: 0, pods: 1 },
  tolerations: [],
  nodeSelector: {},
  ...extra,
});

describe("simulated nodes", () => {
  it("carry the instance type's capacity, the spec's labels and taints, Ready and the version", () => {
    const node = simulatedNode(
      pool("gpu", {
        nodeLabels: { team: "ml" },
        taints: [{ key: "gpu", value: "yes", effect: "NoSchedule" }],
        platform: { local: { instanceType: "sim.large" } },
      } as Partial<NodePool["spec"]>),
      "gpu-sim-abcde",
      "1.36.3",
      "2026-01-01T00:00:00Z",
    );
    expect(node.metadata?.labels).toMatchObject({
      team: "ml",
      "slipway.dev/simulated-node": "true",
      "slipway.dev/nodepool": "gpu",
      "slipway.dev/node-version": "1.36.3",
      "node.kubernetes.io/instance-type": "sim.large",
    });
    expect(node.spec?.taints).toEqual([{ key: "gpu", value: "yes", effect: "NoSchedule" }]);
    expect(node.status?.allocatable).toEqual({ cpu: "8", memory: "32Gi", pods: "110" });
    expect(node.status?.nodeInfo?.kubeletVersion).toBe("v1.36.3");
    expect(node.status?.conditions?.[0]).toMatchObject({ type: "Ready", status: "True" });
    expect(node.metadata?.annotations?.["slipway.dev/simulated"]).toContain(
      "pods bind to this node but never run",
    );
  });

  it("read the scheduler's verdict and a pod's effective requests", () => {
    const pending: HostedPod = {
      metadata: { name: "p", namespace: "default" },
      spec: {
        containers: [
          { resources: { requests: { cpu: "250m", memory: "1Gi" } } },
          { resources: { requests: { cpu: "0.5" } } },
        ],
        initContainers: [{ resources: { requests: { cpu: "1", memory: "512Mi" } } }],
      },
      status: {
        phase: "Pending",
        conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }],
      },
    };
    expect(isUnschedulable(pending)).toBe(true);
    expect(isUnschedulable({ ...pending, spec: { ...pending.spec, nodeName: "n1" } })).toBe(false);
    expect(podRequests(pending)).toEqual({ cpuMilli: 1000, memoryBytes: 1024 ** 3, pods: 1 });
  });
});

describe("takenByEarlierPool: one pool grows for a pod several could hold", () => {
  it("leaves a pod to the first pool by name that could hold it and has room", () => {
    const a = pool("a");
    const b = pool("b");
    expect(takenByEarlierPool(b, [a, b], pod(500))).toBe(true);
    expect(takenByEarlierPool(a, [a, b], pod(500))).toBe(false);
  });

  it("keeps the pod when the earlier pool cannot hold it, is at max, or is fixed-size", () => {
    const b = pool("b");
    const tainted = pool("a", { taints: [{ key: "x", effect: "NoSchedule" }] } as Partial<NodePool["spec"]>);
    expect(takenByEarlierPool(b, [tainted, b], pod(500))).toBe(false);
    expect(takenByEarlierPool(b, [pool("a", {}, 3), b], pod(500))).toBe(false);
    expect(takenByEarlierPool(b, [pool("a"), b], pod(3000))).toBe(false);
    const fixed = pool("a", { autoScaling: undefined, replicas: 1 } as Partial<NodePool["spec"]>);
    expect(takenByEarlierPool(b, [fixed, b], pod(500))).toBe(false);
  });
});
