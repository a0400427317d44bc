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

/** Thrown by `Informer.waitForSync` and friends when the wait is abandoned. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}
