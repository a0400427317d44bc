import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { StackBusyError, StackOwnerUnknownError } from "../../../src/errors/index.js";
import { classifyPulumiError } from "../../../src/queue/pulumi-errors.js";
import { StackLeases } from "../../../src/queue/stack-lease.js";
import { eventually } from "../../harness/eventually.js";
import { testRedisUrl } from "../../harness/hub.js";

/**
 * The renewal the advanced interval started is a Redis round trip, which the fake timers do not wait for: how soon
 * it lands depends on the machine's load, so a case waits for its effect with the harness default (vitest's
 * expect.poll gives up after 1 s), or for the lease's abort itself.
 */
const aborted = (signal: AbortSignal) =>
  signal.aborted
    ? Promise.resolve()
    : new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));

describe("StackLeases on the real Redis", () => {
  let redis: Redis;
  const prefix = `sl-${randomBytes(4).toString("hex")}`;
  const ttlMs = 60_000;
  const leasesOf = (host: string, pid: number) => new StackLeases({ redis, prefix, ttlMs, host, pid });
  const key = (stack: string) => `${prefix}:stack-lease:${stack}`;

  beforeAll(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  });
  afterAll(() => redis.disconnect());
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lets one owner hold a stack; the next is told who holds it, and gets it once released", async () => {
    const a = leasesOf("worker-a", 11);
    const b = leasesOf("worker-b", 22);
    const lease = await a.acquire("team-a-dev-1-5e6f7a8b", "uid-1.g1.up");
    expect(lease.holder).toBe("worker-a/11/uid-1.g1.up");

    const busy = await b.acquire("team-a-dev-1-5e6f7a8b", "uid-1.g1.up").catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(StackBusyError);
    expect((busy as StackBusyError).holder).toBe("worker-a/11/uid-1.g1.up");
    expect((busy as StackBusyError).retryInMs).toBeGreaterThan(ttlMs - 5_000);
    expect(classifyPulumiError(busy)).toMatchObject({
      retry: true,
      reason: "StackBusy",
      message: expect.stringContaining("worker-a/11/uid-1.g1.up holds its lease"),
    });
    // Another stack is not affected.
    await (await b.acquire("team-a-dev-2-0a1b2c3d", "uid-2.g1.up")).release();

    await lease.release();
    const next = await b.acquire("team-a-dev-1-5e6f7a8b", "uid-1.g1.up");
    expect(next.holder).toBe("worker-b/22/uid-1.g1.up");
    await next.release();
    expect(await b.holder("team-a-dev-1-5e6f7a8b")).toBeUndefined();
  });

  it("renews the lease every third of its ttl while held, and stops once released", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const stack = "team-a-renewed-1a2b3c4d";
    const lease = await leasesOf("worker-a", 11).acquire(stack, "uid-3.g1.up");
    // As if most of the ttl had passed without a renewal.
    await redis.pexpire(key(stack), 1_000);
    await vi.advanceTimersByTimeAsync(ttlMs / 3);
    await eventually("the lease renewed", async () => (await redis.pttl(key(stack))) > ttlMs - 5_000);
    expect(lease.lost).toBeUndefined();
    expect(lease.signal.aborted).toBe(false);

    await lease.release();
    expect(await redis.exists(key(stack))).toBe(0);
    await redis.set(key(stack), "someone-else/1/job/000000000000", "PX", 1_000);
    await vi.advanceTimersByTimeAsync(ttlMs);
    // A released lease renews nothing, and its release did not touch the next owner's key.
    expect(await redis.pttl(key(stack))).toBeLessThanOrEqual(1_000);
    await redis.del(key(stack));
  });

  it("loses the lease when another owner has it, and aborts the run it guards", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const stack = "team-a-stolen-9a8b7c6d";
    const lease = await leasesOf("worker-a", 11).acquire(stack, "uid-4.g1.up");
    // It expired (worker-a was frozen) and worker-b took the stack.
    await redis.del(key(stack));
    const other = await leasesOf("worker-b", 22).acquire(stack, "uid-4.g1.up");
    await vi.advanceTimersByTimeAsync(ttlMs / 3);
    await aborted(lease.signal);
    expect(lease.lost).toBe("the lease is now held by worker-b/22/uid-4.g1.up");
    expect(await lease.isHeld()).toBe(false);
    // Releasing a lost lease leaves the new owner's alone.
    await lease.release();
    expect((await leasesOf("worker-c", 33).holder(stack))?.holder).toBe("worker-b/22/uid-4.g1.up");
    await other.release();
  });

  describe("when Redis loses the lease of a live owner (FLUSHALL, a restart without persistence, a failover)", () => {
    const vacancy = (stack: string) => `${key(stack)}:vacant`;
    const redisNowMs = async () => {
      const [seconds, micros] = await redis.time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    };

    it("the owner's next renewal writes the lease again; a newcomer then finds the stack busy", async () => {
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
      const stack = "team-a-flushed-1a2b3c4d";
      const lease = await leasesOf("worker-a", 11).acquire(stack, "uid-5.g1.up", "none");
      await redis.del(key(stack)); // what FLUSHALL does to it
      await vi.advanceTimersByTimeAsync(ttlMs / 3);
      await eventually("the lease renewed", async () => (await redis.pttl(key(stack))) > ttlMs - 5_000);
      expect(lease.lost).toBeUndefined();
      expect(await lease.isHeld()).toBe(true);
      const busy = await leasesOf("worker-b", 22)
        .acquire(stack, "uid-5.g1.up", "seen")
        .catch((e: unknown) => e);
      expect(busy).toBeInstanceOf(StackBusyError);
      expect((busy as StackBusyError).holder).toBe("worker-a/11/uid-5.g1.up");
      await lease.release();
    });

    it("a lease not renewed for a whole ttl expired: it is lost, never written again", async () => {
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
      const stack = "team-a-frozen-1a2b3c4d";
      const lease = await leasesOf("worker-a", 11).acquire(stack, "uid-6.g1.up", "none");
      // The owner froze (no renewal) past its ttl, and the key expired meanwhile.
      vi.setSystemTime(Date.now() + ttlMs);
      await redis.del(key(stack));
      await vi.advanceTimersByTimeAsync(ttlMs / 3);
      await aborted(lease.signal);
      expect(lease.lost).toBe("the lease expired before it was renewed");
      expect(await redis.exists(key(stack))).toBe(0);
      await lease.release();
    });

    it("a locked stack without a lease is waited on until the lease stays vacant for a whole ttl", async () => {
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
      const stack = "team-a-vacant-1a2b3c4d";
      const owner = await leasesOf("worker-a", 11).acquire(stack, "uid-7.g1.up", "none");
      await redis.del(key(stack));
      const b = leasesOf("worker-b", 22);

      // The newcomer sees the owner's Pulumi lock and no lease: the owner may be alive. Wait, do not take it.
      const unknown = await b.acquire(stack, "uid-7.g1.up", "seen").catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(StackOwnerUnknownError);
      expect((unknown as StackOwnerUnknownError).retryInMs).toBe(ttlMs);
      expect(classifyPulumiError(unknown)).toMatchObject({ retry: true, reason: "StackOwnerUnknown" });
      expect(await redis.exists(key(stack))).toBe(0);
      expect(await redis.exists(vacancy(stack))).toBe(1);

      // The live owner re-asserts within a renewal period, which ends the vacancy: the newcomer finds it busy.
      await vi.advanceTimersByTimeAsync(ttlMs / 3);
      await eventually("the vacancy ended", async () => (await redis.exists(vacancy(stack))) === 0);
      await expect(b.acquire(stack, "uid-7.g1.up", "seen")).rejects.toThrow(StackBusyError);
      await owner.release();
    });

    it("a vacancy of a whole ttl proves the lock's owner dead; a stack found unlocked is taken at once", async () => {
      const stack = "team-a-dead-1a2b3c4d";
      const b = leasesOf("worker-b", 22);
      await expect(b.acquire(stack, "uid-8.g1.up", "seen")).rejects.toThrow(StackOwnerUnknownError);
      // Still vacant a little later: the wait shrinks, the lease is still not taken.
      await redis.set(vacancy(stack), String((await redisNowMs()) - ttlMs / 2), "PX", ttlMs);
      const later = await b.acquire(stack, "uid-8.g1.up", "seen").catch((e: unknown) => e);
      expect((later as StackOwnerUnknownError).retryInMs).toBeLessThanOrEqual(ttlMs / 2);
      // As if a whole ttl had passed with nobody re-asserting the lease.
      await redis.set(vacancy(stack), String((await redisNowMs()) - ttlMs), "PX", ttlMs);
      const proven = await b.acquire(stack, "uid-8.g1.up", "seen");
      expect(proven.provenVacant).toBe(true);
      expect(await redis.exists(vacancy(stack))).toBe(0);
      await proven.release();

      // A backend whose locks cannot be listed: a vacancy someone measured still counts, none means take it.
      await redis.set(vacancy(stack), String(await redisNowMs()), "PX", ttlMs);
      await expect(b.acquire(stack, "uid-8.g1.up", "unknown")).rejects.toThrow(StackOwnerUnknownError);
      // The lock is gone (listed: none): whatever vacancy was measured, the stack is free.
      const free = await b.acquire(stack, "uid-8.g1.up", "none");
      expect(free.provenVacant).toBe(false);
      expect(await redis.exists(vacancy(stack))).toBe(0);

      // A holder that then finds a lock it cannot prove stale gives the lease back and starts the vacancy.
      await free.yieldToLockOwner();
      expect(await redis.exists(key(stack))).toBe(0);
      await expect(b.acquire(stack, "uid-8.g1.up", "unknown")).rejects.toThrow(StackOwnerUnknownError);
      await redis.del(vacancy(stack));
    });
  });
});
