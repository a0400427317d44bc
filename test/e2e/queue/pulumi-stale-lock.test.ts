import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConcurrentUpdateError } from "@pulumi/pulumi/automation/index.js";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, it, type ExpectStatic } from "vitest";
import { StackBusyError, StackOwnerUnknownError } from "../../../src/errors/index.js";
import { classifyPulumiError } from "../../../src/queue/pulumi-errors.js";
import { endOrphans } from "../../../src/queue/process-tree.js";
import { PulumiRunner } from "../../../src/queue/pulumi-runner.js";
import { StackLeases } from "../../../src/queue/stack-lease.js";
import { toolsBinDir } from "../../../src/runtime/paths.js";
import { testRedisUrl } from "../../harness/hub.js";
import { checkpointHasPendingCreate, startUpOnOtherHost } from "../../harness/other-host.js";

/*
 * Pulumi's lock cannot tell a live update on another worker host from one whose worker died, so the runner
 * decides by the stack's lease in Redis: a live owner renews it (wait for it), a dead one's expires (then, and
 * only then, its lock is cleared). The first runner is a separate process under another host name, as a worker
 * on another machine sharing the backend would be.
 */
describe("stack locks on a shared backend", () => {
  let stateDir: string;
  let redis: Redis;
  let prefix: string;
  let runner: PulumiRunner;
  /** The other hosts' workers: ended in afterAll if a failed case left one running. */
  const others: ChildProcess[] = [];
  const passphrase = "stale-lock-test-passphrase";
  // Long enough for an event loop busy serialising a dynamic provider on a loaded machine to renew it in time.
  const leaseTtlMs = 15_000;
  const inputs = {
    clusterName: "locked-1",
    powerState: "Running",
    platform: { provisionSeconds: 0, jitterPercent: 0 },
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "slipway-stale-lock-"));
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    prefix = `lock-${Date.now()}`;
    const leases = new StackLeases({ redis, prefix, ttlMs: leaseTtlMs });
    runner = new PulumiRunner({ toolsBinDir, stateDir, passphrase, leases });
  });

  afterAll(async () => {
    for (const other of others)
      if (other.pid && other.exitCode === null && other.signalCode === null)
        process.kill(-other.pid, "SIGKILL");
    redis.disconnect();
    // A killed worker's Pulumi plugins (the dynamic provider) lead their own process group: end them too.
    await endOrphans(stateDir);
    await rm(stateDir, { recursive: true, force: true });
  });

  /**
   * A worker on host "worker-elsewhere" (its own UTS namespace and process group) running `up` through the
   * compiled runner with its own lease; resolves once its create step runs, with what it printed so far.
   */
  async function startOtherWorker(stackName: string, provisionSeconds: number) {
    return startUpOnOtherHost({
      script: join(stateDir, `${stackName}.mjs`),
      redisUrl: testRedisUrl(),
      leases: { prefix, ttlMs: leaseTtlMs },
      runner: { toolsBinDir, stateDir, passphrase },
      stackName,
      inputs: { ...inputs, platform: { ...inputs.platform, provisionSeconds } },
      pendingCreate: () => checkpointHasPendingCreate(stateDir, stackName),
      onSpawn: (child) => others.push(child),
    });
  }

  // The two cases run at once (their own stacks and leases): most of each is waiting, for the other host's 10 s
  // update or for a dead holder's lease to expire. Concurrent cases use their context's expect.
  it.concurrent(
    "a second runner waits for the live update of another host and never cancels it",
    { timeout: 180_000 },
    async ({ expect }) => {
      const stackName = "team-a-shared-1-1a2b3c4d";
      const first = await startOtherWorker(stackName, 10);
      const [lock] = await runner.stackLocks(stackName);
      expect(lock?.hostname).toBe("worker-elsewhere");

      const busy = await runner
        .run({ platform: "simulated", stackName, operation: "up", inputs, jobId: "job-b" })
        .catch((e: unknown) => e);
      expect(busy).toBeInstanceOf(StackBusyError);
      expect((busy as StackBusyError).holder).toBe(`worker-elsewhere/${first.child.pid}/job-a`);
      expect(classifyPulumiError(busy)).toMatchObject({ retry: true, reason: "StackBusy" });
      expect(await runner.stackLocks(stackName)).toHaveLength(1);

      // The first update runs to its end, untouched.
      expect(await first.exited, first.output()).toBe(0);
      expect(first.output()).toMatch(/RESULT .*"powerState":"Running"/);

      // Its lease released, the stack is free and nothing is left to clear.
      const second = await runner.run({
        platform: "simulated",
        stackName,
        operation: "up",
        inputs,
        jobId: "job-b",
      });
      expect(second.clearedStaleLock).toBe(false);
      expect(second.changes).toEqual({ same: 3 });
      await runner.run({ platform: "simulated", stackName, operation: "destroy", inputs, jobId: "job-b" });
      expect(await runner.listStacks()).not.toContain(stackName);
    },
  );

  it.concurrent(
    "clears the lock of a dead holder once its lease expired, and the run proceeds",
    { timeout: 180_000 },
    async ({ expect }) => {
      const stackName = "team-a-locked-1-5e6f7a8b";
      const doomed = await startOtherWorker(stackName, 120);

      // The worker dies mid-update (SIGKILL, no cleanup): its lock stays behind, its lease until it expires.
      process.kill(-doomed.child.pid!, "SIGKILL");
      await doomed.exited;
      await waitUntilDead(doomed.child.pid!, expect);
      const busy = await runner
        .run({ platform: "simulated", stackName, operation: "up", inputs, jobId: "job-b" })
        .catch((e: unknown) => e);
      expect(busy, "the lease still looks live: wait, do not clear").toBeInstanceOf(StackBusyError);
      expect(await runner.stackLocks(stackName)).toHaveLength(1);

      const leases = new StackLeases({ redis, prefix, ttlMs: leaseTtlMs });
      await expect.poll(() => leases.holder(stackName), { timeout: leaseTtlMs * 3 }).toBeUndefined();

      // A runner without leases has no proof the owner is dead: StackLocked, the lock stays.
      const unleased = new PulumiRunner({ toolsBinDir, stateDir, passphrase });
      const locked = await unleased
        .run({ platform: "simulated", stackName, operation: "up", inputs })
        .catch((e: unknown) => e);
      expect(locked, String(locked)).toBeInstanceOf(ConcurrentUpdateError);
      const classified = classifyPulumiError(locked, { secrets: [passphrase] });
      expect(classified).toMatchObject({ retry: true, reason: "StackLocked" });
      expect(classified.message).toMatch(/^the stack is currently locked by 1 lock\(s\)/);
      expect(await runner.stackLocks(stackName)).toHaveLength(1);

      // No lease and a lock: Redis may have lost a live owner's lease, so the lock is not stale yet.
      const waiting = await runner
        .run({ platform: "simulated", stackName, operation: "up", inputs, jobId: "job-b" })
        .catch((e: unknown) => e);
      expect(waiting).toBeInstanceOf(StackOwnerUnknownError);
      expect(classifyPulumiError(waiting)).toMatchObject({ retry: true, reason: "StackOwnerUnknown" });
      expect(await runner.stackLocks(stackName)).toHaveLength(1);

      // Once the lease stayed vacant for a whole ttl, the lock is the dead holder's: cleared, and the cluster
      // provisioned.
      let retried: Awaited<ReturnType<PulumiRunner["run"]>> | undefined;
      await expect
        .poll(
          async () => {
            retried = await runner
              .run({ platform: "simulated", stackName, operation: "up", inputs, jobId: "job-b" })
              .catch((e: unknown) => {
                if (!(e instanceof StackOwnerUnknownError)) throw e;
                return undefined;
              });
            return retried !== undefined;
          },
          { timeout: leaseTtlMs * 3, interval: 1_000 },
        )
        .toBe(true);
      if (!retried) throw new Error("unreachable");
      expect(retried.clearedStaleLock).toBe(true);
      expect(retried.outputs.powerState).toBe("Running");
      expect(await runner.stackLocks(stackName)).toEqual([]);

      // A later run with nothing to clear just runs.
      const again = await runner.run({
        platform: "simulated",
        stackName,
        operation: "up",
        inputs,
        jobId: "job-b",
      });
      expect(again.clearedStaleLock).toBe(false);
      expect(again.changes).toEqual({ same: 3 });

      await runner.run({ platform: "simulated", stackName, operation: "destroy", inputs, jobId: "job-b" });
      expect(await runner.listStacks()).not.toContain(stackName);
    },
  );
});

async function waitUntilDead(pid: number, expect: ExpectStatic): Promise<void> {
  await expect
    .poll(() => !existsSync(`/proc/${pid}`) || /\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8")), {
      timeout: 10_000,
    })
    .toBe(true);
}
