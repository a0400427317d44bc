import type { PolicyClusterStatus } from "../../api/index.js";
import { PolicyEvaluationReason as Reason } from "../../api/reasons.js";

/**
 * A cluster where enforce did not converge is evaluated (and written) again at most this often, however short the
 * policy's evaluationInterval: writing the same object every 10 s while the API server or a controller keeps it
 * otherwise only churns the cluster. A policy edit or a resume still evaluates at once.
 */
export const NOT_CONVERGED_RETRY_MS = 5 * 60_000;

/** The verdict of an object still NonCompliant right after enforce wrote it, naming the field paths. */
export function notConverged(message: string, done: "created" | "updated"): string {
  return (
    `${Reason.EnforceDidNotConverge}: ${message} (still so right after enforce ${done} it: the cluster's API ` +
    `server or a controller keeps the object otherwise; write the template as the server stores it, or stop what ` +
    `changes it back; enforce tries again in ${NOT_CONVERGED_RETRY_MS / 60_000} minutes or after a policy change)`
  );
}

/** Whether the entry's last verdict, for this generation of the policy, is an enforce that did not converge. */
export function didNotConverge(entry: PolicyClusterStatus | undefined, policyGeneration: number): boolean {
  return (
    entry?.compliant === "NonCompliant" &&
    entry.generation === policyGeneration &&
    (entry.message ?? "").includes(`${Reason.EnforceDidNotConverge}:`)
  );
}
