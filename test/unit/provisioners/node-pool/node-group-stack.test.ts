import { describe, expect, it } from "vitest";
import type { HostedCluster } from "../../../../src/api/hosted-cluster.js";
import type { NodePool } from "../../../../src/api/node-pool.js";
import {
  desiredNodeGroupStack,
  nodeGroupReplicas,
} from "../../../../src/provisioners/node-pool/node-group-stack.js";
import { platformDefinition } from "../../../../stacks/index.js";

// What a cloud pool's stack is asked for, computed alike by the controller and the worker: the size Slipway
// decides, and an inputs hash that changes when (and only when) the group must change.
const program = platformDefinition("aws")!.programs.NodePool!;
const join = { apiServer: "https://api.tenant-a.example.com:6443", caData: "Q0E=", tokenID: "abcdef" };
const cluster = {
  metadata: { name: "tenant-a", namespace: "team" },
  spec: { release: { version: "1.33.1" }, platform: { kubernetes: {} } },
} as unknown as HostedCluster;

function pool(
  spec: Partial<NodePool["spec"]> = {},
  status: NodePool["status"] = {},
  generation = 1,
): NodePool {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "NodePool",
    metadata: { name: "batch", namespace: "team", uid: "5f0e9a1c-3b2d-4e6f", generation },
    spec: {
      clusterName: "tenant-a",
      replicas: 2,
      platform: {
        aws: {
          region: "eu-west-1",
          credentialsRef: { name: "aws-creds" },
          subnetIDs: ["subnet-0a1b2c3d"],
          imageID: "ami-0a1b2c3d",
        },
      },
      management: { upgradeType: "Replace", autoRepair: false, maxUnavailable: 0, maxSurge: 1 },
      ...spec,
    } as NodePool["spec"],
    status,
  };
}

describe("a cloud NodePool's stack inputs", () => {
  it("sizes the group from replicas, or from the autoscaler's decision within autoScaling's bounds", () => {
    expect(nodeGroupReplicas(pool({ replicas: 3 }))).toBe(3);
    const autoscaled = { replicas: undefined, autoScaling: { min: 1, max: 4, scaleDownDelay: "10m" } };
    expect(nodeGroupReplicas(pool(autoscaled))).toBe(1);
    expect(nodeGroupReplicas(pool(autoscaled, { autoscaling: { desiredReplicas: 3 } }))).toBe(3);
    expect(nodeGroupReplicas(pool(autoscaled, { autoscaling: { desiredReplicas: 9 } }))).toBe(4);
  });

  it("takes the pool's labels, taints and version (the cluster's when absent) and the endpoint to join", () => {
    const { inputs } = desiredNodeGroupStack(
      pool({ nodeLabels: { tier: "batch" }, taints: [{ key: "gpu", effect: "NoSchedule" }] }),
      cluster,
      join,
      program,
    );
    expect(inputs).toMatchObject({
      poolName: "batch",
      clusterName: "tenant-a",
      powerState: "Running",
      version: "1.33.1",
      replicas: 2,
      nodeLabels: { tier: "batch" },
      taints: [{ key: "gpu", effect: "NoSchedule" }],
      apiServer: join.apiServer,
      poolUID: "5f0e9a1c-3b2d-4e6f",
    });
    expect(() => program.validate(inputs)).not.toThrow();
  });

  it("changes its hash for a new size or spec, not for a new generation alone", () => {
    const hash = (p: NodePool) => desiredNodeGroupStack(p, cluster, join, program).inputsHash;
    expect(hash(pool({}, {}, 2))).toBe(hash(pool()));
    expect(hash(pool({ replicas: 3 }))).not.toBe(hash(pool()));
    expect(hash(pool({ nodeLabels: { a: "b" } }))).not.toBe(hash(pool()));
    // A new token (its Secret deleted to rotate it) is a new boot config: the group rolls to it.
    const rotated = desiredNodeGroupStack(
      pool(),
      cluster,
      { ...join, tokenID: "ghijkl" },
      program,
    ).inputsHash;
    expect(rotated).not.toBe(hash(pool()));
  });
});
