/** Thrown by `Informer.waitForSync` and friends when the wait is abandoned. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}
