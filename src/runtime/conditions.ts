import type { Condition, ConditionStatus } from "../api/common.js";
import { TerminalError } from "../errors/index.js";
import { safeMessage } from "./redaction.js";

/**
 * All condition semantics of Slipway in one place, following the Pulumi Kubernetes Operator (and kstatus):
 *
 * - `Ready` is always present.
 * - Exactly one of `Reconciling` and `Stalled` is present at any time:
 *   - in progress:  Ready=False, Reconciling=True  (Stalled absent)
 *   - stuck:        Ready=False, Stalled=True      (Reconciling absent) until the spec changes
 *   - done:         Ready=True,  Reconciling=False (Stalled absent)
 *   kstatus treats these "abnormal-true" conditions as absent when False, so tools that only know kstatus read
 *   the done state correctly, and a person always finds one of the two with a reason that says why.
 * - Domain conditions (Provisioned, Hibernating, Registered, Bootstrapped ...) are set with `setCondition`.
 *
 * Every reason is CamelCase; `lastTransitionTime` changes only when `status` changes; every condition records
 * the generation it was computed from.
 */

export type { Condition, ConditionStatus } from "../api/common.js";

export const ConditionType = {
  Ready: "Ready",
  Reconciling: "Reconciling",
  Stalled: "Stalled",
} as const;

/** Reasons the runtime itself uses for the three summary conditions. */
export const SummaryReason = {
  Succeeded: "ReconcileSucceeded",
  InProgress: "ReconcileInProgress",
  Stalled: "ReconcileStalled",
  Pending: "Pending",
} as const;

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** The API server's rule for metav1.Condition reasons; we also require a leading capital (CamelCase). */
const reasonPattern = /^[A-Z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

export function isValidReason(reason: string): boolean {
  return reason.length <= 1024 && reasonPattern.test(reason);
}

/** metav1.Time has second precision; writing milliseconds would make every status look changed after a round trip. */
export function conditionTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function getCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === "True";
}

export function isFalse(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === "False";
}

/**
 * Returns a new list with the condition set. `lastTransitionTime` is kept when the status does not change, so
 * it tells when the condition last flipped, not when it was last written. The order of existing conditions is
 * kept so repeated passes produce identical lists (and no needless status writes).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  now: Date = new Date(),
): Condition[] {
  if (!isValidReason(input.reason))
    throw new Error(`condition ${input.type}: reason "${input.reason}" must be CamelCase`);
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message,
    lastTransitionTime:
      previous && previous.status === input.status ? previous.lastTransitionTime : conditionTime(now),
    ...(input.observedGeneration !== undefined ? { observedGeneration: input.observedGeneration } : {}),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export interface SummaryInput {
  /** CamelCase; defaults to the runtime's own reason for the state. */
  reason?: string;
  message: string;
  observedGeneration?: number;
}

/** Done: Ready=True, Reconciling=False, no Stalled. */
export function markReady(
  conditions: readonly Condition[] | undefined,
  input: SummaryInput,
  now: Date = new Date(),
): Condition[] {
  const reason = input.reason ?? SummaryReason.Succeeded;
  let list = removeCondition(conditions, ConditionType.Stalled);
  list = setCondition(
    list,
    {
      type: ConditionType.Ready,
      status: "True",
      reason,
      message: input.message,
      observedGeneration: input.observedGeneration,
    },
    now,
  );
  return setCondition(
    list,
    {
      type: ConditionType.Reconciling,
      status: "False",
      reason,
      message: input.message,
      observedGeneration: input.observedGeneration,
    },
    now,
  );
}

/** Work in progress (or a transient error being retried): Ready=False, Reconciling=True, no Stalled. */
export function markReconciling(
  conditions: readonly Condition[] | undefined,
  input: SummaryInput,
  now: Date = new Date(),
): Condition[] {
  return markNotReady(conditions, input, now, ConditionType.Reconciling, SummaryReason.InProgress);
}

/** Cannot progress until someone changes the spec: Ready=False, Stalled=True, no Reconciling. */
export function markStalled(
  conditions: readonly Condition[] | undefined,
  input: SummaryInput,
  now: Date = new Date(),
): Condition[] {
  return markNotReady(conditions, input, now, ConditionType.Stalled, SummaryReason.Stalled);
}

/** Ready=False and `state`=True with one reason and message; the other of Reconciling and Stalled goes. */
function markNotReady(
  conditions: readonly Condition[] | undefined,
  input: SummaryInput,
  now: Date,
  state: typeof ConditionType.Reconciling | typeof ConditionType.Stalled,
  defaultReason: string,
): Condition[] {
  const reason = input.reason ?? defaultReason;
  const other = state === ConditionType.Reconciling ? ConditionType.Stalled : ConditionType.Reconciling;
  const summary = {
    status: "False" as const,
    reason,
    message: input.message,
    observedGeneration: input.observedGeneration,
  };
  const list = setCondition(
    removeCondition(conditions, other),
    { type: ConditionType.Ready, ...summary },
    now,
  );
  return setCondition(list, { type: state, ...summary, status: "True" }, now);
}

/**
 * Conditions for an object seen for the first time: everything Unknown-ish but present, so a person running
 * `kubectl get -o yaml` right after apply already sees what is going on.
 */
export function initialConditions(
  observedGeneration: number | undefined,
  now: Date = new Date(),
): Condition[] {
  return markReconciling(
    [],
    {
      reason: SummaryReason.Pending,
      message: "Waiting for the first reconcile to finish",
      observedGeneration,
    },
    now,
  );
}

export interface PassSummary {
  /** What the pass threw, if anything: a TerminalError stalls, anything else is retried (Reconciling). */
  error?: unknown;
  deleting?: boolean;
  /** The desired state is reached (only looked at when there was no error and no deletion). */
  done: boolean;
  /** CamelCase reason and message for the done / in-progress state. */
  reason: string;
  message: string;
  observedGeneration?: number;
}

/**
 * The summary conditions for one pass, the rule every controller follows: a TerminalError -> Stalled with its
 * reason; another error -> Reconciling "RetryingAfterError" with the (scrubbed) error text; deleting ->
 * Reconciling "Deleting"; otherwise Ready when `done`, Reconciling when not.
 */
export function summarizePass(
  conditions: readonly Condition[] | undefined,
  pass: PassSummary,
  now: Date = new Date(),
): Condition[] {
  const observedGeneration = pass.observedGeneration;
  if (pass.error instanceof TerminalError) {
    return markStalled(
      conditions,
      { reason: pass.error.reason, message: safeMessage(pass.error.message, 4096), observedGeneration },
      now,
    );
  }
  if (pass.error !== undefined) {
    const text = pass.error instanceof Error ? pass.error.message : String(pass.error);
    return markReconciling(
      conditions,
      { reason: "RetryingAfterError", message: safeMessage(`Will retry: ${text}`, 4096), observedGeneration },
      now,
    );
  }
  if (pass.deleting)
    return markReconciling(
      conditions,
      { reason: "Deleting", message: pass.message, observedGeneration },
      now,
    );
  if (pass.done)
    return markReady(conditions, { reason: pass.reason, message: pass.message, observedGeneration }, now);
  return markReconciling(conditions, { reason: pass.reason, message: pass.message, observedGeneration }, now);
}

/** Which summary state the conditions describe; used by tests and by `kubectl`-like printers. */
export function summaryState(
  conditions: readonly Condition[] | undefined,
): "Ready" | "Reconciling" | "Stalled" | "Unknown" {
  if (isTrue(conditions, ConditionType.Stalled)) return "Stalled";
  if (isTrue(conditions, ConditionType.Reconciling)) return "Reconciling";
  if (isTrue(conditions, ConditionType.Ready)) return "Ready";
  return "Unknown";
}
