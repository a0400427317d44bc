import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyPulumiError } from "../../../src/queue/pulumi-errors.js";
import { PulumiRunner, type PulumiProgress } from "../../../src/queue/pulumi-runner.js";
import { toolsBinDir } from "../../../src/runtime/paths.js";

// The simulated platform through the real Pulumi CLI: no processes, state in the stack, small delays.
describe("simulated platform", () => {
  let stateDir: string;
  let runner: PulumiRunner;
  const stackName = "team-a-sim-1-0a1b2c3d";
  const delays = {
    provisionSeconds: 0.4,
    hibernateSeconds: 0.2,
    resumeSeconds: 0.2,
    destroySeconds: 0.1,
    jitterPercent: 20,
  };
  const spec = { clusterName: "sim-1", powerState: "Running", platform: delays };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "slipway-simulated-"));
    runner = new PulumiRunner({ toolsBinDir, stateDir, passphrase: "simulated-test-passphrase" });
  });

  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it("provisions, hibernates, resumes and destroys, reporting progress", async () => {
    const progress: PulumiProgress[] = [];
    const up = await runner.run({
      platform: "simulated",
      stackName,
      operation: "up",
      inputs: spec,
      onProgress: (p) => progress.push(p),
    });
    expect(up.outputs).toMatchObject({ apiURL: "https://simulated.invalid/sim-1", powerState: "Running" });
    expect(up.outputs.infraID).toMatch(/^sim-1-[a-z0-9]{5}$/);
    expect(up.outputs.kubeconfig).toContain("SIMULATED");
    expect(up.secretOutputNames).toEqual(["kubeconfig"]);
    expect(up.changes).toEqual({ create: 3 });
    expect(
      progress.some((p) => p.currentStep === "creating simulated:ControlPlane sim-1-control-plane"),
    ).toBe(true);
    expect(progress.at(-1)).toEqual({
      resourcesDone: 4,
      resourcesTotal: 4,
      currentStep: "done",
      percent: 100,
    });
    const percents = progress.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));

    const hibernated = await runner.run({
      platform: "simulated",
      stackName,
      operation: "up",
      inputs: { ...spec, powerState: "Hibernating" },
    });
    expect(hibernated.outputs.powerState).toBe("Hibernating");
    expect(hibernated.outputs.infraID).toBe(up.outputs.infraID);
    expect(hibernated.changes).toEqual({ same: 2, update: 1 });

    // Other delays or a new attempt number describe the simulation, not the cluster: nothing to do.
    const again = await runner.run({
      platform: "simulated",
      stackName,
      operation: "up",
      inputs: {
        ...spec,
        powerState: "Hibernating",
        platform: { ...delays, hibernateSeconds: 3 },
        attempt: 2,
      },
    });
    expect(again.changes).toEqual({ same: 3 });

    const resumed = await runner.run({ platform: "simulated", stackName, operation: "up", inputs: spec });
    expect(resumed.outputs.powerState).toBe("Running");

    const refreshed = await runner.run({
      platform: "simulated",
      stackName,
      operation: "refresh",
      inputs: spec,
    });
    expect(refreshed.outputs.powerState).toBe("Running");

    const destroyed = await runner.run({
      platform: "simulated",
      stackName,
      operation: "destroy",
      inputs: spec,
    });
    expect(destroyed.changes).toEqual({ delete: 3 });
    expect(destroyed.outputs).toEqual({});
    expect(await runner.listStacks()).toEqual([]);
  });

  it("hands credentials to the program as Pulumi secrets, never kept in clear text", async () => {
    const name = "team-a-sim-creds-4d5e6f7a";
    const withCreds = {
      ...spec,
      clusterName: "sim-creds",
      platform: { ...delays, provisionSeconds: 0, credentialsRef: { name: "sim-creds" } },
    };
    const credentials = { token: "tok-8c1f-only-in-memory", region: "eu-secret-9" };
    const up = await runner.run({
      platform: "simulated",
      stackName: name,
      operation: "up",
      inputs: withCreds,
      credentials,
    });
    // The run received them: the program read the secret config and reports the keys, not the values.
    expect(up.outputs.credentials).toBe("present: keys region,token");
    expect(up.secretOutputNames).toEqual(["kubeconfig"]);
    // The stack settings hold them encrypted with the stack's secrets provider; the state holds no value.
    const settings = readFileSync(
      join(stateDir, "pulumi", "workspaces", name, `Pulumi.${name}.yaml`),
      "utf8",
    );
    expect(settings).toMatch(/slipway:credentials:\s+secure: v1:/);
    const state = readFileSync(
      join(stateDir, "pulumi", ".pulumi", "stacks", "slipway", `${name}.json`),
      "utf8",
    );
    expect(state).toContain("present: keys region,token");
    for (const file of [settings, state]) {
      for (const value of Object.values(credentials)) expect(file).not.toContain(value);
    }

    // A program that requires credentials refuses to run without them.
    const without = await runner
      .run({
        platform: "simulated",
        stackName: "team-a-sim-nocreds-5e6f7a8b",
        operation: "up",
        inputs: withCreds,
      })
      .catch((e: unknown) => e);
    expect(String(without)).toContain("slipway:credentials");
    await runner.run({
      platform: "simulated",
      stackName: "team-a-sim-nocreds-5e6f7a8b",
      operation: "destroy",
      inputs: withCreds,
    });
    await runner.run({ platform: "simulated", stackName: name, operation: "destroy", inputs: withCreds });
  });

  it("stops gracefully when aborted: the in-flight step ends early, the lock is released and the next up finishes the job", async () => {
    const name = "team-a-sim-abort-3c4d5e6f";
    const slow = {
      ...spec,
      clusterName: "sim-abort",
      platform: { ...delays, provisionSeconds: 2, jitterPercent: 0 },
    };
    const abort = new AbortController();
    const aborted = await runner
      .run({
        platform: "simulated",
        stackName: name,
        operation: "up",
        inputs: slow,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.currentStep.startsWith("creating simulated:ControlPlane")) abort.abort();
        },
      })
      .catch((e: unknown) => e);
    // The provider's step learns of the cancel and ends at once: the 2 s provision does not run out.
    expect(classifyPulumiError(aborted)).toMatchObject({ retry: true, reason: "Canceled" });
    expect(classifyPulumiError(aborted).message).toMatch(
      /^Provision cancelled after 0 s of 2 s: the run was cancelled/,
    );
    expect(await runner.stackLocks(name)).toEqual([]);
    const next = await runner.run({ platform: "simulated", stackName: name, operation: "up", inputs: slow });
    expect(next.outputs.powerState).toBe("Running");
    await runner.run({ platform: "simulated", stackName: name, operation: "destroy", inputs: slow });
  });

  it("fails an injected transient provision failure on the first attempt only", async () => {
    const name = "team-a-sim-flaky-1a2b3c4d";
    const flaky = {
      ...spec,
      clusterName: "sim-flaky",
      platform: {
        ...delays,
        provisionSeconds: 0,
        failures: [
          { phase: "Provision", mode: "Transient", attempts: 1, message: "cloud API said ECONNRESET" },
        ],
      },
    };
    const first = await runner
      .run({ platform: "simulated", stackName: name, operation: "up", inputs: flaky })
      .catch((e: unknown) => e);
    expect(classifyPulumiError(first)).toEqual({
      retry: true,
      reason: "SimulatedTransientFailure",
      message: "SimulatedTransientFailure: Provision of sim-flaky (attempt 1): cloud API said ECONNRESET",
    });
    const second = await runner.run({
      platform: "simulated",
      stackName: name,
      operation: "up",
      inputs: { ...flaky, attempt: 2 },
    });
    expect(second.outputs.powerState).toBe("Running");
    await runner.run({ platform: "simulated", stackName: name, operation: "destroy", inputs: flaky });
  });

  it("stops on an injected terminal failure and on invalid inputs", async () => {
    const name = "team-a-sim-broken-2b3c4d5e";
    const broken = {
      ...spec,
      clusterName: "sim-broken",
      platform: {
        ...delays,
        provisionSeconds: 0,
        failures: [{ phase: "Provision", mode: "Terminal", attempts: 0, message: "quota exhausted" }],
      },
    };
    const failed = await runner
      .run({ platform: "simulated", stackName: name, operation: "up", inputs: broken })
      .catch((e: unknown) => e);
    expect(classifyPulumiError(failed)).toMatchObject({ retry: false, reason: "SimulatedTerminalFailure" });
    await runner.run({ platform: "simulated", stackName: name, operation: "destroy", inputs: broken });

    // Refused before the CLI starts: a runner without a Pulumi CLI refuses them the same way (one that started
    // the CLI would fail with "the Pulumi CLI is missing"), however long a loaded machine takes to say so.
    const noCli = new PulumiRunner({
      toolsBinDir: join(stateDir, "no-cli", "bin"),
      stateDir: join(stateDir, "no-cli"),
      passphrase: "simulated-test-passphrase",
    });
    const invalid = await noCli
      .run({
        platform: "simulated",
        stackName: name,
        operation: "up",
        inputs: { ...spec, clusterName: "Not_A_Label" },
      })
      .catch((e: unknown) => e);
    expect(classifyPulumiError(invalid)).toMatchObject({ retry: false, reason: "InvalidInputs" });
    const unknown = await noCli
      .run({ platform: "mainframe", stackName: name, operation: "up", inputs: spec })
      .catch((e: unknown) => e);
    expect(classifyPulumiError(unknown)).toMatchObject({ retry: false, reason: "UnknownPlatform" });
    expect(await runner.listStacks()).toEqual([]);
  });
});
