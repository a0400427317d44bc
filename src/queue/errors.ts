/**
 * Errors of the stack-job side of Slipway (the Pulumi runner and the stack programs). Pulumi's own errors
 * (CommandError, ConcurrentUpdateError, StackNotFoundError ...) come from @pulumi/pulumi/automation; what to do
 * about each of them is decided in one table, src/queue/pulumi-errors.ts.
 */

/**
 * Thrown by a stack program (or its input validation) when retrying cannot help until someone changes the spec:
 * an unknown platform, a missing field, a version this machine cannot run. Classified as terminal.
 */
export class TerminalStackError extends Error {
  override name = "TerminalStackError";

  constructor(
    /** CamelCase reason for the `Stalled` condition, e.g. "InvalidInputs", "UnknownPlatform". */
    readonly reason: string,
    /** What a person should change; never contains secret material. */
    message: string,
  ) {
    super(message);
  }
}

/**
 * The stack is locked by an update that is not running any more (its worker died) and the caller did not say the
 * lock may be cleared, or clearing it failed.
 */
export class StaleStackLockError extends Error {
  override name = "StaleStackLockError";

  constructor(
    readonly stackName: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Thrown by a job handler when retrying cannot help until someone changes the resource. The job fails at once,
 * without using its remaining attempts; `reason` is the CamelCase reason the controller reports.
 */
export class TerminalJobError extends Error {
  override name = "TerminalJobError";

  constructor(
    readonly reason: string,
    /** What a person should change; never contains secret material. */
    message: string,
  ) {
    super(message);
  }
}

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

/** Another live owner holds the stack's lease: wait for it, never touch its run. */
export class StackBusyError extends Error {
  override name = "StackBusyError";

  constructor(
    readonly stackName: string,
    /** `host/pid/jobId` of the owner. */
    readonly holder: string,
    /** How long the lease has left unless its owner renews it. */
    readonly retryInMs: number,
  ) {
    super(`stack ${stackName} is busy: ${holder} holds its lease; waiting for it to finish`);
  }
}

/** This worker lost the stack's lease during a run (it could not renew it in time): the run was interrupted. */
export class StackLeaseLostError extends Error {
  override name = "StackLeaseLostError";

  constructor(
    readonly stackName: string,
    message: string,
  ) {
    super(message);
  }
}
