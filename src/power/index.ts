import type { SlipwayConfig } from "../runtime/config.js";
import type { KubeClient } from "../runtime/kube-client.js";
import type { Manager } from "../runtime/manager.js";
import { JobEventRouter } from "../queue/job-events.js";
import { JobQueue } from "../queue/job-queue.js";
import { JobWorker } from "../queue/job-worker.js";
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

export interface PowerControllerOptions {
  kube: KubeClient;
  config: SlipwayConfig & { redisUrl: string };
  clock?: PowerClock;
  /** Trigger jobs run at once in this process. Default 4. */
  concurrency?: number;
}

/** The power controller's parts besides the reconciler: the trigger queue, its worker and its job events. */
export interface PowerRuntime {
  queue: JobQueue<PowerTriggerData, PowerTriggerResult>;
  worker: JobWorker;
  /** Starts the trigger worker and job events; call after `manager.start()` or with it. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Registers the power controller and builds its trigger worker. Every controller replica runs the worker (a
 * trigger is one BullMQ job, so it fires once whichever replica takes it, and fires after a restart since it
 * waits in Redis); only the leader reconciles.
 */
export function registerPowerController(manager: Manager, options: PowerControllerOptions): PowerRuntime {
  const { config, kube } = options;
  const clock = options.clock ?? configuredClock(config.power);
  const queue = new JobQueue<PowerTriggerData, PowerTriggerResult>({
    name: POWER_QUEUE,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.worker.attempts,
    backoffMs: config.worker.backoffMs,
  });
  manager.register(powerRegistration({ queue, clock }));
  const worker = new JobWorker({
    queue: POWER_QUEUE,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    concurrency: options.concurrency ?? 4,
    lockDurationMs: config.worker.lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
    maxStalledCount: config.worker.maxStalledCount,
  }).handle(POWER_TRIGGER_JOB, powerTriggerHandler({ kube, clock }));
  const events = new JobEventRouter({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    queues: [POWER_QUEUE],
  });
  // A trigger that ran reconciles its cluster at once: its result goes to status.power without waiting.
  events.subscribe("ClusterDeployment", (e) => manager.enqueue(POWER_CONTROLLER, `${e.namespace}/${e.name}`));
  let running: Promise<void> | undefined;
  return {
    queue,
    worker,
    async start() {
      await events.start();
      running = worker.run();
    },
    async close() {
      await worker.close();
      await running?.catch(() => undefined);
      await events.close();
      await queue.close();
    },
  };
}
