import type { ClusterObject, PowerStatus } from "../api/index.js";
import type { JobQueue } from "../queue/job-queue.js";
import type { ReconcileContext } from "../runtime/reconciler.js";
import type { PowerClock } from "./clock.js";
import type { PowerDecision } from "./decide.js";
import type { PowerTriggerData, PowerTriggerResult } from "./trigger-job.js";

export interface PowerDependencies {
  /** The "power" queue: one delayed job per trigger moment. */
  queue: JobQueue<PowerTriggerData, PowerTriggerResult>;
  clock: PowerClock;
}

export type LastTrigger = NonNullable<PowerStatus["lastTrigger"]>;

/** What one pass of the power controller found and decided; status.ts reports it. */
export interface PowerScope {
  cd: ClusterObject;
  context: ReconcileContext;
  deps: PowerDependencies;
  /** The power clock's time for this pass (the system clock outside tests). */
  now: Date;
  decision?: PowerDecision;
  /** Schedule triggers at or before this are handled (carried forward from status). */
  lastTriggerAt?: string;
  lastTrigger?: LastTrigger;
  /** A trigger job is queued or running: look again soon. */
  waiting?: boolean;
}
