import { expect } from "vitest";

/** What `check` returns while the awaited state is not there yet. */
type NotYet = undefined | false;

const arrived = (value: unknown) => value !== undefined && value !== false;

/**
 * Polls `check` (vitest's expect.poll) until it returns a value other than undefined or false, and returns that
 * value. An error `check` throws counts as "not yet". On timeout it fails with what was awaited and the last
 * error. Like expect.poll, it runs inside a test only, not in a beforeAll/afterAll hook.
 */
export async function eventually<T>(
  what: string,
  check: () => T | NotYet | Promise<T | NotYet>,
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<T> {
  let value: T | NotYet = undefined;
  let lastError: unknown;
  const attempt = async () => {
    try {
      value = await check();
      lastError = undefined;
    } catch (err) {
      value = undefined;
      lastError = err;
    }
    return value;
  };
  try {
    await expect.poll(attempt, { timeout: timeoutMs, interval: intervalMs }).toSatisfy(arrived);
  } catch (failure) {
    const cause = lastError === undefined ? "" : `: ${String(lastError)}`;
    throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${cause}`, { cause: failure });
  }
  return value as T;
}
