/**
 * Thrown by a reconcile phase when retrying cannot help until someone changes the spec (a bad reference, an
 * unsupported combination). The harness reports it as `Stalled` with this reason and does not back off and retry.
 */
export class TerminalError extends Error {
  override name = "TerminalError";

  constructor(
    /** CamelCase condition reason, e.g. "CredentialsSecretMissing". */
    readonly reason: string,
    /** What a person should do about it; never contains secret material. */
    message: string,
  ) {
    super(message);
  }
}
