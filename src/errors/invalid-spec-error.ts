/** A spec value admission could not judge (a version this machine cannot run, say): the resource stalls. */
export class InvalidSpecError extends Error {
  override name = "InvalidSpecError";

  constructor(
    /** CamelCase condition reason, from the ClusterDeployment table of src/api/reasons.ts, e.g. "UnsupportedVersion". */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
