import { CLUSTER_KINDS } from "../api/index.js";
import type { ControllerDependencies } from "../queue/controller-jobs.js";
import { clusterControllerName } from "../runtime/controller.js";
import { JobWorker } from "../queue/job-worker.js";
import type { Manager } from "../runtime/manager.js";
import { configuredClock, type PowerClock } from "./clock.js";
import { POWER_CONTROLLER, powerRegistration } from "./controller.js";
import {
  POWER_QUEUE,
  POWER_TRIGGER_JOB,
  powerTriggerHandler,
  type PowerTriggerData,
  type PowerTriggerResult,
} from "./trigger-job.js";

export { POWER_CONTROLLER, powerReconciler, powerRegistration } from "./controller.js";
export { ScaledClock, systemClock, type PowerClock } from "./clock.js";
export * from "./decide.js";
export * from "./schedule.js";
export * from "./trigger-job.js";
export { accountUsage, countedState } from "./usage.js";

/** Tuning beside the config, for tests and benchmarks. */
export interface PowerControllerOptions {
  /** Default: the config's power clock (the system clock outside tests). */
  clock?: PowerClock;
  /** Trigger jobs run at once in this process. Default 4. */
  concurrency?: number;
}

/**
 * Registers the power controller and runs its trigger worker with the manager. Every controller replica runs the
 * worker (a trigger is one BullMQ job, so it fires once whichever replica takes it, and fires after a restart
 * since it waits in Redis); only the leader reconciles. A trigger that ran reconciles its cluster at once: its
 * result goes to status.power without waiting.
 */
export function register(
  manager: Manager,
  deps: ControllerDependencies,
  options: PowerControllerOptions = {},
): void {
  const { config, kube } = deps;
  const clock = options.clock ?? configuredClock(config.power);
  const queue = deps.jobs.queue<PowerTriggerData, PowerTriggerResult>(POWER_QUEUE);
  for (const kind of CLUSTER_KINDS) {
    manager.register(powerRegistration({ queue, clock }, 4, kind));
    deps.jobs.onJobEvent(POWER_QUEUE, kind, (e) =>
      manager.enqueue(clusterControllerName(POWER_CONTROLLER, kind), `${e.namespace}/${e.name}`),
    );
  }
  const worker = new JobWorker({
    queue: POWER_QUEUE,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    concurrency: options.concurrency ?? 4,
    lockDurationMs: config.worker.lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
    maxStalledCount: config.worker.maxStalledCount,
  }).handle(POWER_TRIGGER_JOB, powerTriggerHandler({ kube, clock }));
  let running: Promise<void> | undefined;
  manager.add({
    name: "power-trigger-worker",
    start: async () => {
      running = worker.run();
    },
    stop: async () => {
      await worker.close();
      await running?.catch(() => undefined);
    },
  });
}
