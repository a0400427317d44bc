import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ConcurrentUpdateError } from "@pulumi/pulumi/automation/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaleStackLockError } from "../../src/errors/index.js";
import { classifyPulumiError } from "../../src/queue/pulumi-errors.js";
import { PulumiRunner } from "../../src/queue/pulumi-runner.js";
import { distDir, toolsBinDir } from "../../src/runtime/paths.js";

// A worker killed in the middle of `up` leaves the file backend's stack locked. The next attempt (told the owner
// is dead) clears the lock and finishes the update; without being told, it fails with StackLocked.
describe("stale stack lock", () => {
  let stateDir: string;
  let runner: PulumiRunner;
  let worker: ChildProcess | undefined;
  const passphrase = "stale-lock-test-passphrase";
  const stackName = "team-a-locked-1-5e6f7a8b";
  const inputs = {
    clusterName: "locked-1",
    powerState: "Running",
    platform: { provisionSeconds: 0, jitterPercent: 0 },
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "slipway-stale-lock-"));
    runner = new PulumiRunner({ toolsBinDir, stateDir, passphrase });
  });

  afterAll(async () => {
    if (worker?.pid && worker.exitCode === null && worker.signalCode === null)
      process.kill(-worker.pid, "SIGKILL");
    await rm(stateDir, { recursive: true, force: true });
  });

  /** A separate worker process (compiled runner in dist/) whose `up` takes two minutes: long enough to kill. */
  async function startSlowWorker(): Promise<ChildProcess> {
    const script = join(stateDir, "slow-worker.mjs");
    const runnerUrl = pathToFileURL(join(distDir, "src", "queue", "pulumi-runner.js")).href;
    await writeFile(
      script,
      `import { PulumiRunner } from ${JSON.stringify(runnerUrl)};
const runner = new PulumiRunner(${JSON.stringify({ toolsBinDir, stateDir, passphrase })});
await runner.run({
  platform: "simulated", stackName: ${JSON.stringify(stackName)}, operation: "up",
  inputs: ${JSON.stringify({ ...inputs, platform: { ...inputs.platform, provisionSeconds: 120 } })},
  onProgress: (p) => console.log(JSON.stringify(p)),
});
`,
    );
    // Its own process group, so the kill takes the CLI and the provider plugin with it, as a dying pod would.
    const child = spawn(process.execPath, [script], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`slow worker did not reach the create step:\n${out}`)),
        90_000,
      );
      child.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("creating simulated:ControlPlane")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on("data", (d) => (out += d));
      child.on("exit", (code) => reject(new Error(`slow worker exited (${code}):\n${out}`)));
    });
    return child;
  }

  it("refuses to clear the lock of a live update, clears a dead worker's lock on retry", async () => {
    worker = await startSlowWorker();
    const [lock] = await runner.stackLocks(stackName);
    expect(lock?.pid).toBeGreaterThan(0);

    // The update is alive: even a caller that believes otherwise does not get to break its lock.
    const refused = await runner
      .run({ platform: "simulated", stackName, operation: "up", inputs, clearStaleLock: true })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StaleStackLockError);
    expect(classifyPulumiError(refused)).toMatchObject({ retry: true, reason: "StackLocked" });

    // The worker dies mid-update (SIGKILL, no cleanup): its lock stays behind.
    process.kill(-worker.pid!, "SIGKILL");
    await new Promise((resolve) => worker!.once("exit", resolve));
    await waitUntilDead(lock!.pid!);
    expect(await runner.stackLocks(stackName)).toHaveLength(1);

    // A retry not told the owner is dead fails as StackLocked and leaves the lock alone.
    const locked = await runner
      .run({ platform: "simulated", stackName, operation: "up", inputs })
      .catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(ConcurrentUpdateError);
    const classified = classifyPulumiError(locked, { secrets: [passphrase] });
    expect(classified).toMatchObject({ retry: true, reason: "StackLocked" });
    expect(classified.message).toMatch(/^the stack is currently locked by 1 lock\(s\)/);
    expect(await runner.stackLocks(stackName)).toHaveLength(1);

    // The retry that knows clears the lock, forgets the interrupted create and provisions the cluster.
    const retried = await runner.run({
      platform: "simulated",
      stackName,
      operation: "up",
      inputs,
      clearStaleLock: true,
    });
    expect(retried.clearedStaleLock).toBe(true);
    expect(retried.outputs.powerState).toBe("Running");
    expect(await runner.stackLocks(stackName)).toEqual([]);

    // A later retry with nothing to clear just runs.
    const again = await runner.run({
      platform: "simulated",
      stackName,
      operation: "up",
      inputs,
      clearStaleLock: true,
    });
    expect(again.clearedStaleLock).toBe(false);
    expect(again.changes).toEqual({ same: 3 });

    await runner.run({ platform: "simulated", stackName, operation: "destroy", inputs });
    expect(await runner.listStacks()).toEqual([]);
  });
});

async function waitUntilDead(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (!existsSync(`/proc/${pid}`) || /\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pid ${pid} still alive`);
}
