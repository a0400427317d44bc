import type { ClusterTemplate } from "./cluster-pool.js";

/** The fields of a ClusterDeployment spec (or a pool's template) that this release accepts but may not act on. */
type ClusterFields = Partial<Pick<ClusterTemplate, "hibernation" | "registration">> & {
  hibernateAfter?: string;
};

/**
 * A field the API accepts is acted on or answered with a condition, never silently ignored. A spec that sets a
 * field this release does not act on gets condition FieldsNotActedOn (reason NotImplementedYet) naming it
 * (notActedOnMessage). Today there is none: hibernation schedules and hibernateAfter are acted on by the power
 * controller (src/power, condition Scheduled) and `registration` by the registration controller
 * (src/bootstrap/registration, conditions Registered and Joined). The hook stays for the next such field.
 */
export function fieldsNotActedOn(_spec: ClusterFields, _prefix = "spec"): string[] {
  return [];
}

export function notActedOnMessage(fields: string[]): string {
  return `${fields.join(", ")} ${fields.length === 1 ? "is" : "are"} accepted but not acted on yet by this release of Slipway; ${fields.length === 1 ? "it has" : "they have"} no effect`;
}
