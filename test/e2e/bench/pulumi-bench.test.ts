import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchSimulatedUp } from "../../../src/bench/pulumi-bench.js";
import { PulumiRunner } from "../../../src/queue/pulumi-runner.js";
import { toolsBinDir } from "../../../src/runtime/paths.js";

describe("benchSimulatedUp", () => {
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "slipway-bench-"));
  });

  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it("times N fresh simulated provisions and leaves no stack behind", async () => {
    const seen: number[] = [];
    const result = await benchSimulatedUp({
      toolsBinDir,
      stateDir,
      iterations: 2,
      passphrase: "bench",
      onIteration: (i) => seen.push(i),
    });
    expect(result.iterations).toBe(2);
    expect(seen).toEqual([0, 1]);
    expect(result.meanMs).toBeGreaterThan(0);
    expect(result.minMs).toBeLessThanOrEqual(result.maxMs);
    console.log(
      `simulated up, zero delays: mean ${result.meanMs} ms over ${result.iterations} (${result.durationsMs.join(", ")})`,
    );
    const runner = new PulumiRunner({ toolsBinDir, stateDir, passphrase: "bench" });
    expect(await runner.listStacks()).toEqual([]);
  });
});
