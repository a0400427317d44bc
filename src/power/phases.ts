import { apiTime } from "../api/duration.js";
import { ClusterDeploymentReason as Reason } from "../api/reasons.js";
import type { ReconcileResult } from "../runtime/reconciler.js";
import { decidePower, firedHibernateAfter, type PowerTrigger } from "./decide.js";
import type { LastTrigger, PowerScope } from "./scope.js";
import { triggerJobData, triggerJobId, triggerSuffix, type PowerTriggerResult } from "./trigger-job.js";
import { USAGE_REFRESH_MS } from "./usage.js";

/** While a trigger job is queued or running, look again this often (its completion event usually comes first). */
const WAIT_POLL_MS = 2_000;

/**
 * One pass: decide, follow the triggers due now (each is a job; its result goes to status), and make sure the
 * timer for the next one is set. Never changes spec.powerState itself: the trigger job does, once.
 */
export async function reconcilePower(scope: PowerScope): Promise<ReconcileResult> {
  const { cd, context } = scope;
  scope.lastTriggerAt = cd.status?.power?.lastTriggerAt;
  scope.lastTrigger = cd.status?.power?.lastTrigger;
  const decision = decidePower(cd, scope.now);
  scope.decision = decision;

  if (decision.skip) {
    // Schedule triggers that fall while the cluster is held are consumed, not caught up later: a cluster just
    // failed over, or just claimed from a pool, must not be hibernated by a trigger from before.
    const held = decision.heldTrigger;
    if (held) record(scope, held, { outcome: "Skipped", message: decision.skip.message });
    // Held clusters still run up costs: keep their counters current.
    return cd.metadata.deletionTimestamp ? {} : { requeueAfter: requeueAfterMs(scope) };
  }
  if (decision.missed) {
    const message = `The ${decision.missed.powerState} trigger of ${apiTime(decision.missed.at)} was found more than 2 h late and dropped`;
    if (record(scope, decision.missed, { outcome: "Dropped", message }))
      await context.events.record(cd, { type: "Warning", reason: Reason.TriggerDropped, message });
  }
  for (const trigger of decision.due) await followTrigger(scope, trigger);
  // A hibernateAfter trigger that fired is no longer due (spec.powerState is Hibernating): report what it did.
  const fired = firedHibernateAfter(cd, scope.now);
  const lastAt = scope.lastTrigger?.at;
  if (fired && !(lastAt && Date.parse(lastAt) >= fired.at.getTime()))
    await followTrigger(scope, fired, { enqueue: false });
  if (decision.next) await setTimer(scope, decision.next);
  return { requeueAfter: requeueAfterMs(scope) };
}

/**
 * A trigger due now: queue its job if it is not there (unless `enqueue` is false: a trigger that already fired),
 * or copy its result once it ran.
 */
async function followTrigger(
  scope: PowerScope,
  trigger: PowerTrigger,
  { enqueue = true } = {},
): Promise<void> {
  const { cd, context, deps } = scope;
  const id = triggerJobId(cd, trigger);
  const job = await deps.queue.lookup(id);
  switch (job.state) {
    case "missing":
      if (!enqueue) return;
      context.log.info({ jobId: id, source: trigger.source }, `Enqueuing due ${trigger.powerState} trigger`);
      await deps.queue.enqueue(triggerJobData(cd, trigger), triggerSuffix(trigger));
      scope.waiting = true;
      return;
    case "waiting":
    case "delayed":
    case "active":
      scope.waiting = true;
      return;
    case "completed": {
      const result: PowerTriggerResult = job.result ?? {
        outcome: "Skipped",
        message: "The trigger job reported nothing",
      };
      if (record(scope, trigger, result) && result.outcome === "Applied") {
        await context.events.record(cd, {
          type: "Normal",
          reason: trigger.source === "Schedule" ? Reason.ScheduleTriggered : Reason.HibernateAfterElapsed,
          message: result.message,
        });
      }
      return;
    }
    case "failed":
      record(scope, trigger, { outcome: "Skipped", message: `The trigger job failed: ${job.failedReason}` });
  }
}

/** Records what became of a trigger; false when status already said so (nothing new to report). */
function record(
  scope: PowerScope,
  trigger: PowerTrigger,
  result: { outcome: LastTrigger["outcome"]; message: string },
): boolean {
  const at = apiTime(trigger.at);
  if (
    trigger.source === "Schedule" &&
    (!scope.lastTriggerAt || Date.parse(scope.lastTriggerAt) < trigger.at.getTime())
  )
    scope.lastTriggerAt = at;
  const next: LastTrigger = {
    at,
    source: trigger.source,
    powerState: trigger.powerState,
    outcome: result.outcome,
    message: result.message.slice(0, 1024),
  };
  const previous = scope.lastTrigger;
  const changed =
    previous?.at !== next.at || previous?.source !== next.source || previous?.outcome !== next.outcome;
  scope.lastTrigger = next;
  return changed;
}

/** The timer for the next trigger: a delayed job under the trigger's id, so setting it again is a no-op. */
async function setTimer(scope: PowerScope, trigger: PowerTrigger): Promise<void> {
  const { cd, deps } = scope;
  await deps.queue.enqueue(triggerJobData(cd, trigger), triggerSuffix(trigger), {
    delayMs: Math.max(0, deps.clock.msUntil(trigger.at)),
  });
}

/** The safety net: just after the next trigger, soon while a job runs, and hourly for the cost counters. */
function requeueAfterMs(scope: PowerScope): number {
  const { clock } = scope.deps;
  const candidates = [clock.msUntil(new Date(scope.now.getTime() + USAGE_REFRESH_MS))];
  if (scope.decision?.next) candidates.push(clock.msUntil(scope.decision.next.at) + 1_000);
  if (scope.waiting) candidates.push(WAIT_POLL_MS);
  return Math.max(500, Math.min(...candidates));
}
