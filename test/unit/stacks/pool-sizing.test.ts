import { describe, expect, it } from "vitest";
import { observedPowerState, poolDrift, poolSize } from "../../../stacks/cloud/pool-sizing.js";

// How every cloud sizes a node pool for a power state, and what a refresh's node counts say about drift.
describe("cloud pool sizing", () => {
  it("runs a fixed pool at its replicas and an autoscaled one within its bounds; hibernates both to zero", () => {
    expect(poolSize({ replicas: 3 }, "Running")).toEqual({ desired: 3, min: 3, max: 3, autoscaling: false });
    expect(poolSize({ replicas: 1, autoScaling: { min: 2, max: 5 } }, "Running")).toEqual({
      desired: 2,
      min: 2,
      max: 5,
      autoscaling: true,
    });
    expect(poolSize({ replicas: 9, autoScaling: { min: 2, max: 5 } }, "Running").desired).toBe(5);
    // The maximum stays (EKS wants at least 1), so hibernating changes counts only.
    expect(poolSize({ replicas: 3 }, "Hibernating")).toEqual({
      desired: 0,
      min: 0,
      max: 3,
      autoscaling: false,
    });
    expect(poolSize({ replicas: 0 }, "Hibernating").max).toBe(1);
    expect(poolSize({ replicas: 2, autoScaling: { min: 1, max: 4 } }, "Hibernating")).toEqual({
      desired: 0,
      min: 0,
      max: 4,
      autoscaling: false,
    });
  });

  it("reads a refresh's node counts: emptied while Running is Stopped, nodes while Hibernating is Running", () => {
    const running = poolSize({ replicas: 3 }, "Running");
    const spare = poolSize({ replicas: 0 }, "Running");
    const asleep = poolSize({ replicas: 3 }, "Hibernating");
    expect(observedPowerState("Running", [{ planned: running, actual: 3 }])).toBe("Running");
    expect(
      observedPowerState("Running", [
        { planned: running, actual: 0 },
        { planned: spare, actual: 0 },
      ]),
    ).toBe("Stopped");
    // Resized but not emptied: reported as asked; the next up sets the count back.
    expect(observedPowerState("Running", [{ planned: running, actual: 1 }])).toBe("Running");
    expect(observedPowerState("Hibernating", [{ planned: asleep, actual: 0 }])).toBe("Hibernating");
    expect(observedPowerState("Hibernating", [{ planned: asleep, actual: 2 }])).toBe("Running");
    // AKS's system pool keeps a node while hibernating: that is not drift.
    expect(observedPowerState("Hibernating", [{ planned: { ...asleep, desired: 1 }, actual: 1 }])).toBe(
      "Hibernating",
    );
    // A preview knows no counts yet.
    expect(observedPowerState("Running", [{ planned: running, actual: undefined }])).toBe("Running");
  });

  it("names every pool a refresh found resized outside Slipway, so the next up sets it back; nothing else is drift", () => {
    const fixed = poolSize({ replicas: 3 }, "Running");
    const scaled = poolSize({ replicas: 2, autoScaling: { min: 2, max: 5 } }, "Running");
    const pools = (workers: number | undefined, batch: number | undefined) => [
      { name: "workers", planned: fixed, actual: workers },
      { name: "batch", planned: scaled, actual: batch },
    ];
    expect(poolDrift("Running", pools(3, 4))).toBe("");
    expect(poolDrift("Running", pools(1, 4))).toBe("node pool workers has 1 node, the spec asks for 3");
    expect(poolDrift("Running", pools(5, 9))).toBe(
      "node pool workers has 5 nodes, the spec asks for 3; node pool batch has 9 nodes, the spec allows 2 to 5",
    );
    // Every pool emptied, or nodes in a hibernating cluster, are powerState's to report (Stopped, Running).
    expect(poolDrift("Running", pools(0, 0))).toBe("");
    expect(
      poolDrift("Hibernating", [
        { name: "workers", planned: poolSize({ replicas: 3 }, "Hibernating"), actual: 2 },
      ]),
    ).toBe("");
    // A preview knows no counts yet.
    expect(poolDrift("Running", pools(undefined, undefined))).toBe("");
  });
});
