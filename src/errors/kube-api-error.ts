/** A response from the Kubernetes API server other than 2xx, carrying the Status the server sent. */
export class KubeApiError extends Error {
  override name = "KubeApiError";

  constructor(
    readonly statusCode: number,
    /** The Status `reason` (NotFound, Conflict, AlreadyExists, Gone, Expired ...), or "" when absent. */
    readonly reason: string,
    /** The Status message alone, as the server wrote it ("ConfigMap \"x\" is invalid: ..."). */
    readonly serverMessage: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${statusCode} ${reason}: ${serverMessage}`);
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
