/** A response from the Kubernetes API server other than 2xx, carrying the Status the server sent. */
export class KubeApiError extends Error {
  override name = "KubeApiError";

  constructor(
    readonly statusCode: number,
    /** The Status `reason` (NotFound, Conflict, AlreadyExists, Gone, Expired ...), or "" when absent. */
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${statusCode} ${reason}: ${message}`);
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 404;
}

/** 409: optimistic-concurrency conflict or AlreadyExists on create. */
export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 409;
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 409 && error.reason === "AlreadyExists";
}

/** 410: a resourceVersion or continue token the server no longer has; the caller must start over from a fresh list. */
export function isGone(error: unknown): boolean {
  return (
    error instanceof KubeApiError &&
    (error.statusCode === 410 || error.reason === "Expired" || error.reason === "Gone")
  );
}

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

/** Thrown by `Informer.waitForSync` and friends when the wait is abandoned. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}
