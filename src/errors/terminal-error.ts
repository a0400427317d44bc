/**
 * The one way a reconcile phase stalls its object: retrying cannot help until someone changes the spec or the
 * environment (a bad reference, an unsupported combination, a missing Secret). The harness reports it as
 * `Stalled` with this reason, moves observedGeneration, records a Warning Event and does not back off and retry;
 * with `requeueAfterMs` it looks again after that long (for what no watch tells it about).
 */
export class TerminalError extends Error {
  override name = "TerminalError";
  readonly requeueAfterMs?: number;

  constructor(
    /** CamelCase condition reason from the kind's table in src/api/reasons.ts, e.g. "CredentialsSecretMissing". */
    readonly reason: string,
    /** What a person should do about it; never contains secret material. */
    message: string,
    options: { requeueAfterMs?: number } = {},
  ) {
    super(message);
    this.requeueAfterMs = options.requeueAfterMs;
  }
}
