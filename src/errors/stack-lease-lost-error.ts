/** This worker lost the stack's lease during a run (it could not renew it in time): the run was interrupted. */
export class StackLeaseLostError extends Error {
  override name = "StackLeaseLostError";

  constructor(
    readonly stackName: string,
    message: string,
  ) {
    super(message);
  }
}
