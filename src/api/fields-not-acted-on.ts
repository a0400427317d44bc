import type { ClusterTemplate } from "./cluster-pool.js";

/** The fields of a ClusterDeployment spec (or a pool's template) that this release accepts but does not act on. */
type ClusterFields = Partial<Pick<ClusterTemplate, "registration">>;

/**
 * A field the API accepts is acted on or answered with a condition, never silently ignored. Until hub
 * registration lands, a spec that sets it gets condition FieldsNotActedOn
 * (reason NotImplementedYet) naming it (notActedOnMessage). Hibernation schedules and hibernateAfter are acted on by the power
 * controller (src/power), which answers them with condition Scheduled. `registration` at its default (clusterSet
 * "default", no labels) is what every cluster gets and is not reported.
 */
export function fieldsNotActedOn(spec: ClusterFields, prefix = "spec"): string[] {
  const fields: string[] = [];
  const registration = spec.registration;
  if (
    registration &&
    ((registration.clusterSet ?? "default") !== "default" ||
      Object.keys(registration.labels ?? {}).length > 0)
  )
    fields.push(`${prefix}.registration`);
  return fields;
}

export function notActedOnMessage(fields: string[]): string {
  return `${fields.join(", ")} ${fields.length === 1 ? "is" : "are"} accepted but not acted on yet by this release of Slipway; ${fields.length === 1 ? "it has" : "they have"} no effect`;
}
