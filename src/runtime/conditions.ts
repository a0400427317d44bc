import type { Condition, ConditionStatus } from "../api/common.js";
import { CommonReason } from "../api/reasons.js";
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
 * - Domain conditions (Provisioned, Hibernating, Registered, Bootstrapped ...) are set with `setCondition`;
 *   `summarize` derives the three summary conditions from them (Ready = all the kind's named ones are good).
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
  const reason = input.reason ?? CommonReason.ReconcileSucceeded;
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
  return markNotReady(conditions, input, now, ConditionType.Reconciling, CommonReason.ReconcileInProgress);
}

/** Cannot progress until someone changes the spec: Ready=False, Stalled=True, no Reconciling. */
export function markStalled(
  conditions: readonly Condition[] | undefined,
  input: SummaryInput,
  now: Date = new Date(),
): Condition[] {
  return markNotReady(conditions, input, now, ConditionType.Stalled, CommonReason.ReconcileStalled);
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
      reason: CommonReason.Pending,
      message: "Waiting for the first reconcile to finish",
      observedGeneration,
    },
    now,
  );
}

/** A condition Ready summarizes: its type, or a negative-polarity one (Pending: True is the bad state). */
export type SummarizedCondition = string | { type: string; polarity: "negative" };

export interface SummarizeInput {
  /**
   * The domain conditions Ready summarizes, most telling first (Cluster API's util/conditions summary). A missing
   * one counts as Unknown. Ready is True only when every one is good (True, or False for a negative one).
   */
  conditions: readonly SummarizedCondition[];
  /** Ready's reason and message when every summarized condition is good. */
  ready: { reason: string; message: string };
  /**
   * What the pass threw. A TerminalError is the one way to stall: Stalled with its reason and message. Any other
   * error is retried: Reconciling, reason RetryingAfterError, with the scrubbed error text.
   */
  error?: unknown;
  /** The object is being deleted: Reconciling with this reason (default Deleting) and message. */
  deleting?: { reason?: string; message: string };
  observedGeneration?: number;
}

/**
 * The summary conditions, computed the same way for every kind: a TerminalError -> Stalled; another error ->
 * Reconciling RetryingAfterError; deleting -> Reconciling; every summarized condition good -> Ready; else
 * Reconciling with the reason and message of the first condition that is not good (a bad one before an Unknown
 * one, in the order given).
 */
export function summarize(
  conditions: readonly Condition[] | undefined,
  input: SummarizeInput,
  now: Date = new Date(),
): Condition[] {
  const observedGeneration = input.observedGeneration;
  if (input.error instanceof TerminalError) {
    return markStalled(
      conditions,
      { reason: input.error.reason, message: safeMessage(input.error.message, 4096), observedGeneration },
      now,
    );
  }
  if (input.error !== undefined) {
    const text = input.error instanceof Error ? input.error.message : String(input.error);
    return markReconciling(
      conditions,
      {
        reason: CommonReason.RetryingAfterError,
        message: safeMessage(`Will retry: ${text}`, 4096),
        observedGeneration,
      },
      now,
    );
  }
  if (input.deleting) {
    const reason = input.deleting.reason ?? CommonReason.Deleting;
    return markReconciling(conditions, { reason, message: input.deleting.message, observedGeneration }, now);
  }
  const blocking = firstNotGood(conditions, input.conditions);
  if (!blocking) return markReady(conditions, { ...input.ready, observedGeneration }, now);
  return markReconciling(
    conditions,
    { reason: blocking.reason, message: blocking.message, observedGeneration },
    now,
  );
}

/** The first summarized condition that is bad (False, or True when negative), else the first Unknown or missing. */
function firstNotGood(
  conditions: readonly Condition[] | undefined,
  summarized: readonly SummarizedCondition[],
): { reason: string; message: string } | undefined {
  let unknown: { reason: string; message: string } | undefined;
  for (const entry of summarized) {
    const type = typeof entry === "string" ? entry : entry.type;
    const negative = typeof entry !== "string";
    const condition = getCondition(conditions, type);
    if (!condition || condition.status === "Unknown") {
      unknown ??= condition ?? { reason: CommonReason.Pending, message: `${type} is not reported yet` };
      continue;
    }
    const good = negative ? condition.status === "False" : condition.status === "True";
    if (!good) return condition;
  }
  return unknown;
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
