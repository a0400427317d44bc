import { describe, expect, it } from "vitest";
import type { NodePool } from "../../../src/api/node-pool.js";
import { nodePoolRows } from "../../../src/cli/get-nodepools.js";

const now = Date.parse("2026-01-01T12:00:00Z");
const created = "2026-01-01T11:00:00Z";

function pool(name: string, spec: Partial<NodePool["spec"]>, status: NodePool["status"]): NodePool {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "NodePool",
    metadata: { name, namespace: "team", creationTimestamp: created },
    spec: { clusterName: "hosted", platform: { local: {} }, ...spec } as NodePool["spec"],
    status,
  };
}

const cond = (type: string, status: "True" | "False" | "Unknown", reason: string) => ({
  type,
  status,
  reason,
  message: "",
  lastTransitionTime: created,
});

describe("slipway get nodepools", () => {
  it("shows nodes ready/desired, autoscaling min/max/current with the autoscaler's word, and Ready's reason", () => {
    const out = nodePoolRows(
      [
        pool(
          "fixed",
          { replicas: 3 },
          {
            desiredReplicas: 3,
            replicas: 3,
            readyReplicas: 3,
            version: "1.36.3",
            conditions: [cond("Ready", "True", "NodesReady")],
          },
        ),
        pool(
          "auto",
          { autoScaling: { min: 0, max: 5, scaleDownDelay: "10m" } },
          {
            desiredReplicas: 5,
            replicas: 4,
            readyReplicas: 4,
            version: "1.36.3",
            autoscaling: { reason: "ScaledUpGroup" },
            conditions: [
              cond("Ready", "False", "ScalingUp"),
              cond("UpdatingVersion", "False", "VersionUpToDate"),
            ],
          },
        ),
      ],
      false,
      now,
    );
    expect(out.split("\n").map((l) => l.trim().split(/\s+/))).toEqual([
      [
        "NAME",
        "CLUSTER",
        "NODES",
        "AUTOSCALING(MIN/MAX/CURRENT)",
        "AUTOSCALER",
        "VERSION",
        "UPDATING",
        "READY",
        "AGE",
      ],
      ["fixed", "hosted", "3/3", "-", "1.36.3", "False", "True", "60m"],
      ["auto", "hosted", "4/5", "0/5/4", "ScaledUpGroup", "1.36.3", "False", "False", "(ScalingUp)", "60m"],
    ]);
  });
});
