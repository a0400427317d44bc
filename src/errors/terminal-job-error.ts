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
