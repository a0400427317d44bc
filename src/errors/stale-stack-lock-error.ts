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
