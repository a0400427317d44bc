import { ConditionType, type Condition } from "../../runtime/conditions.js";

/**
 * The condition types a kind's controller writes: the summary ones (Ready, Reconciling, Stalled) and the kind's
 * own. Only those are sent, so server-side apply keeps the entries other field managers own (Registered,
 * Bootstrapped ...).
 */
export function conditionsOwnedBy(
  kindConditions: Record<string, string>,
): (conditions: readonly Condition[] | undefined) => Condition[] {
  const owned: ReadonlySet<string> = new Set([
    ...Object.values(ConditionType),
    ...Object.values(kindConditions),
  ]);
  return (conditions) => (conditions ?? []).filter((c) => owned.has(c.type));
}
