/** Another live owner holds the stack's lease: wait for it, never touch its run. */
export class StackBusyError extends Error {
  override name = "StackBusyError";

  constructor(
    readonly stackName: string,
    /** `host/pid/jobId` of the owner. */
    readonly holder: string,
    /** How long the lease has left unless its owner renews it. */
    readonly retryInMs: number,
  ) {
    super(`stack ${stackName} is busy: ${holder} holds its lease; waiting for it to finish`);
  }
}
