import type { ClusterTemplate } from "./cluster-pool.js";

/** The fields of a ClusterDeployment spec (or a pool's template) that this release accepts but does not act on. */
type ClusterFields = Partial<Pick<ClusterTemplate, "hibernation">> & {
  hibernateAfter?: string;
};

/**
 * A field the API accepts is acted on or answered with a condition, never silently ignored. Until hibernation
 * schedules and hibernateAfter land, a spec that sets them gets condition FieldsNotActedOn (reason
 * NotImplementedYet) naming them (notActedOnMessage). `registration` is acted on by the registration controller
 * (src/bootstrap/registration).
 */
export function fieldsNotActedOn(spec: ClusterFields, prefix = "spec"): string[] {
  const fields: string[] = [];
  if ((spec.hibernation?.schedules?.length ?? 0) > 0) fields.push(`${prefix}.hibernation`);
  if (spec.hibernateAfter) fields.push(`${prefix}.hibernateAfter`);
  return fields;
}

export function notActedOnMessage(fields: string[]): string {
  return `${fields.join(", ")} ${fields.length === 1 ? "is" : "are"} accepted but not acted on yet by this release of Slipway; ${fields.length === 1 ? "it has" : "they have"} no effect`;
}
