import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffDelay } from "../../../src/runtime/backoff.js";
import { WorkQueue, type WorkResult } from "../../../src/runtime/work-queue.js";

/** A promise the test resolves by hand, to hold a key "in processing" as long as it wants. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("WorkQueue", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("de-duplicates waiting keys and reports the depth", async () => {
    const gate = deferred();
    const depths: number[] = [];
    const seen: string[] = [];
    const queue = new WorkQueue({
      name: "depth",
      concurrency: 1,
      process: async (key) => {
        seen.push(key);
        if (key === "first") await gate.promise;
      },
      onDepthChange: (depth) => depths.push(depth),
    });
    queue.add("first");
    queue.add("ns/x");
    queue.add("ns/x");
    queue.add("ns/y");
    queue.add("ns/x");
    expect(queue.depth).toBe(2);
    gate.resolve();
    await queue.whenIdle();
    expect(seen).toEqual(["first", "ns/x", "ns/y"]);
    expect(depths.at(-1)).toBe(0);
    expect(Math.max(...depths)).toBe(2);
  });

  it("never processes one key twice at once, and re-runs a key added during its pass afterwards", async () => {
    let running = 0;
    let maxRunning = 0;
    let passes = 0;
    const firstPass = deferred();
    const releaseFirst = deferred();
    const queue = new WorkQueue({
      name: "exclusive",
      concurrency: 4,
      process: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        passes++;
        if (passes === 1) {
          firstPass.resolve();
          await releaseFirst.promise;
        }
        running--;
      },
    });
    queue.add("ns/cd");
    await firstPass.promise;
    // Events arriving while the first pass runs: all of them collapse into one more pass after it.
    queue.add("ns/cd");
    queue.add("ns/cd");
    queue.add("ns/cd");
    await tick();
    expect(running).toBe(1);
    releaseFirst.resolve();
    await queue.whenIdle();
    expect(maxRunning).toBe(1);
    expect(passes).toBe(2);
  });

  it("runs different keys concurrently up to the concurrency", async () => {
    let running = 0;
    let maxRunning = 0;
    const gate = deferred();
    const queue = new WorkQueue({
      name: "concurrency",
      concurrency: 3,
      process: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await gate.promise;
        running--;
      },
    });
    for (let i = 0; i < 10; i++) queue.add(`ns/k${i}`);
    await tick();
    expect(queue.inFlight).toBe(3);
    expect(queue.depth).toBe(7);
    gate.resolve();
    await queue.whenIdle();
    expect(maxRunning).toBe(3);
  });

  it("backs off exponentially per key on errors, capped at max, and forgets on success", async () => {
    vi.useFakeTimers();
    const attempts: number[] = [];
    const retries: Array<{ failures: number; delayMs: number }> = [];
    const queue = new WorkQueue({
      name: "backoff",
      concurrency: 1,
      backoff: { baseMs: 100, maxMs: 1000 },
      process: async () => {
        attempts.push(Date.now());
        if (attempts.length <= 6) throw new Error("transient");
      },
      onRetry: (_key, failures, delayMs) => retries.push({ failures, delayMs }),
    });
    queue.add("ns/flaky");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(retries.map((r) => r.delayMs)).toEqual([100, 200, 400, 800, 1000, 1000]);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps).toEqual([100, 200, 400, 800, 1000, 1000]);
    // The seventh attempt succeeded: the key's failure count is reset.
    expect(queue.numRequeues("ns/flaky")).toBe(0);
    expect(attempts).toHaveLength(7);
  });

  it("keeps failure counts per key", () => {
    const queue = new WorkQueue({
      name: "per-key",
      concurrency: 1,
      backoff: { baseMs: 10, maxMs: 100 },
      process: async () => undefined,
    });
    expect(queue.addRateLimited("a")).toBe(10);
    expect(queue.addRateLimited("a")).toBe(20);
    expect(queue.addRateLimited("b")).toBe(10);
    queue.forget("a");
    expect(queue.addRateLimited("a")).toBe(10);
    void queue.shutdown();
  });

  it("addAfter adds the key once the delay passes, and the earliest of several delays wins", async () => {
    vi.useFakeTimers();
    const seen: Array<[string, number]> = [];
    const start = Date.now();
    const queue = new WorkQueue({
      name: "after",
      concurrency: 1,
      process: async (key) => {
        seen.push([key, Date.now() - start]);
      },
    });
    queue.addAfter("ns/a", 5000);
    queue.addAfter("ns/a", 2000);
    queue.addAfter("ns/a", 9000);
    queue.addAfter("ns/b", 3000);
    await vi.advanceTimersByTimeAsync(1999);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen).toEqual([
      ["ns/a", 2000],
      ["ns/b", 3000],
    ]);
  });

  it("requeues after the time a pass asks for", async () => {
    vi.useFakeTimers();
    let passes = 0;
    const queue = new WorkQueue({
      name: "requeue-after",
      concurrency: 1,
      process: async (): Promise<WorkResult> => {
        passes++;
        return passes < 3 ? { requeueAfter: 30_000 } : {};
      },
    });
    queue.add("ns/poll");
    await vi.advanceTimersByTimeAsync(1);
    expect(passes).toBe(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(passes).toBe(2);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(passes).toBe(3);
  });

  it("reports a key pending while it waits, runs or waits out a retry's backoff, and not once it settled", async () => {
    vi.useFakeTimers();
    const gate = deferred();
    let failuresLeft = 1;
    const queue = new WorkQueue({
      name: "pending",
      concurrency: 1,
      backoff: { baseMs: 1000, maxMs: 1000 },
      process: async () => {
        await gate.promise;
        if (failuresLeft-- > 0) throw new Error("backend unavailable");
      },
    });
    expect(queue.pending("ns/a")).toBe(false);
    queue.add("ns/a");
    expect(queue.pending("ns/a")).toBe(true); // in flight, held by the gate
    gate.resolve();
    await vi.advanceTimersByTimeAsync(1);
    expect(queue.inFlight).toBe(0);
    expect(queue.pending("ns/a")).toBe(true); // its retry is scheduled
    await vi.advanceTimersByTimeAsync(1000);
    expect(queue.pending("ns/a")).toBe(false); // the retry succeeded: nothing more to come
    expect(queue.pending("ns/other")).toBe(false);
  });

  it("shutdown waits for passes in flight, drops waiting and delayed keys, and ignores new adds", async () => {
    const gate = deferred();
    const seen: string[] = [];
    const queue = new WorkQueue({
      name: "shutdown",
      concurrency: 1,
      process: async (key) => {
        seen.push(key);
        if (key === "ns/slow") await gate.promise;
      },
    });
    queue.add("ns/slow");
    queue.add("ns/waiting");
    queue.addAfter("ns/later", 10);
    let stopped = false;
    const shutdown = queue.shutdown().then(() => (stopped = true));
    queue.add("ns/after-shutdown");
    await tick();
    expect(stopped).toBe(false);
    gate.resolve();
    await shutdown;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen).toEqual(["ns/slow"]);
  });

  it("shutdown with drain processes the waiting keys first", async () => {
    const seen: string[] = [];
    const gate = deferred();
    const queue = new WorkQueue({
      name: "drain",
      concurrency: 1,
      process: async (key) => {
        seen.push(key);
        if (key === "ns/1") await gate.promise;
      },
    });
    queue.add("ns/1");
    queue.add("ns/2");
    queue.add("ns/3");
    const done = queue.shutdown({ drain: true });
    gate.resolve();
    await done;
    expect(seen).toEqual(["ns/1", "ns/2", "ns/3"]);
  });
});

describe("backoffDelay", () => {
  it("doubles from the base and stops at the max, even after very many failures", () => {
    const options = { baseMs: 5, maxMs: 60_000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, options))).toEqual([5, 10, 20, 40]);
    expect(backoffDelay(10_000, options)).toBe(60_000);
  });

  it("spreads delays by the jitter fraction", () => {
    expect(backoffDelay(1, { baseMs: 1000, maxMs: 10_000, jitter: 0.5 }, () => 1)).toBe(1500);
    expect(backoffDelay(1, { baseMs: 1000, maxMs: 10_000, jitter: 0.5 }, () => 0)).toBe(1000);
  });
});
