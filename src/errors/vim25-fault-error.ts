/**
 * A vSphere Web Services (vim25 SOAP) call that failed: the server's fault, or no answer at all. `fault` is the
 * vim25 fault type (`InvalidLogin`, `ManagedObjectNotFound`, `InvalidPowerState`, `NoDiskSpace` ...), or
 * `Transport` when the server could not be reached or its certificate was not trusted (`cause` tells which).
 * The message is the server's fault string and the method name: never a request body, which may hold a password.
 */
export class Vim25FaultError extends Error {
  override name = "Vim25FaultError";

  constructor(
    readonly method: string,
    readonly fault: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${method}: ${fault}: ${message}`, options);
  }
}
