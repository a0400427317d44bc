/**
 * Thrown by a stack program (or its input validation) when retrying cannot help until someone changes the spec:
 * an unknown platform, a missing field, a version this machine cannot run. Classified as terminal by the one
 * table of Pulumi failures (src/queue/pulumi-errors.ts).
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
