import { setTimeout as sleep } from "node:timers/promises";

/** What `check` returns while the awaited state is not there yet. */
type NotYet = undefined | false;

const arrived = (value: unknown) => value !== undefined && value !== false;

const TIMED_OUT = Symbol("timed out");

/** Resolves with TIMED_OUT after `ms` unless cleared. */
function timeout(ms: number): { fired: Promise<typeof TIMED_OUT>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const fired = new Promise<typeof TIMED_OUT>(
    (resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)),
  );
  return { fired, clear: () => clearTimeout(timer) };
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined or false, and returns that
 * value. An error `check` throws counts as "not yet". On timeout (a check still pending counts) it fails with
 * what was awaited and the last error. It keeps no test state (unlike vitest's expect.poll, which fails once
 * another concurrent test of the file has ended), so concurrent tests and hooks may use it.
 */
export async function eventually<T>(
  what: string,
  check: () => T | NotYet | Promise<T | NotYet>,
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const limit = timeout(Math.max(0, deadline - Date.now()));
    try {
      const value = await Promise.race([Promise.resolve().then(check), limit.fired]);
      if (value === TIMED_OUT) break;
      lastError = undefined;
      if (arrived(value)) return value as T;
    } catch (err) {
      lastError = err;
    } finally {
      limit.clear();
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const cause = lastError === undefined ? "" : `: ${String(lastError)}`;
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${cause}`);
}
