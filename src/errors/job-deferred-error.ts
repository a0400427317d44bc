/**
 * Thrown by a job handler that cannot start yet for a reason that will pass by itself (another owner holds the
 * stack): the job goes back to the queue, delayed, without using an attempt.
 */
export class JobDeferredError extends Error {
  override name = "JobDeferredError";

  constructor(
    readonly reason: string,
    message: string,
    /** When to try again. */
    readonly retryInMs: number,
  ) {
    super(message);
  }
}
