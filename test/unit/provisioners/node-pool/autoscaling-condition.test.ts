import { describe, expect, it } from "vitest";
import type { NodePool } from "../../../../src/api/node-pool.js";
import { autoscaling } from "../../../../src/provisioners/node-pool/status.js";

const pool = (spec: Partial<NodePool["spec"]>, desiredReplicas?: number) =>
  ({
    metadata: { name: "workers", namespace: "team-a" },
    spec,
    ...(desiredReplicas === undefined ? {} : { status: { autoscaling: { desiredReplicas } } }),
  }) as unknown as NodePool;

describe("AutoscalingEnabled: a field the API accepts is acted on or answered", () => {
  it("is True where the autoscaler sizes the pool (nodes in the hosted API)", () => {
    expect(
      autoscaling(pool({ autoScaling: { min: 0, max: 5, scaleDownDelay: "10m" } }), "api-objects"),
    ).toMatchObject({
      status: "True",
      reason: "AutoscalingEnabled",
    });
  });

  it("is False with what the group keeps for a cloud node group, which the autoscaler does not size yet", () => {
    const answer = autoscaling(
      pool({ autoScaling: { min: 2, max: 5, scaleDownDelay: "10m" } }),
      "provider-node-group",
    );
    expect(answer).toMatchObject({ status: "False", reason: "AutoscalingNotActedOn" });
    expect(answer.message).toMatch(/keeps 2 node\(s\), its min \(2\).*set spec\.replicas/);
    expect(
      autoscaling(pool({ autoScaling: { min: 1, max: 5, scaleDownDelay: "10m" } }, 4), "provider-node-group")
        .message,
    ).toMatch(/keeps 4 node\(s\)/);
  });

  it("is False, replicas fixing the size, without autoScaling on any kind of pool", () => {
    for (const mode of ["api-objects", "provider-node-group", undefined] as const)
      expect(autoscaling(pool({ replicas: 3 }), mode)).toMatchObject({
        status: "False",
        reason: "AutoscalingDisabled",
      });
  });
});
