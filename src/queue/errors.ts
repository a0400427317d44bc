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
