import type { SlipwayConfig } from "../runtime/config.js";
import type { Metrics } from "../runtime/metrics.js";
import { PULUMI_QUEUE, SPOKE_QUEUE, type JobQueueName } from "./job.js";
import { JobWorker, type AnyJobHandler } from "./job-worker.js";

/** A handler and where its jobs are queued. */
export interface JobHandlerRegistration {
  queue: JobQueueName;
  type: string;
  handler: AnyJobHandler;
}

/**
 * One worker per queue that has handlers, each with its own concurrency from the configuration: a slow spoke job
 * never holds one of the few Pulumi slots. Call `run()` on each.
 */
export function createJobWorkers(
  config: SlipwayConfig & { redisUrl: string },
  registrations: readonly JobHandlerRegistration[],
  metrics?: Metrics,
): JobWorker[] {
  const concurrency: Record<JobQueueName, number> = {
    [PULUMI_QUEUE]: config.worker.concurrency,
    [SPOKE_QUEUE]: config.worker.spokeConcurrency,
  };
  const workers = new Map<JobQueueName, JobWorker>();
  for (const { queue, type, handler } of registrations) {
    let worker = workers.get(queue);
    if (!worker) {
      worker = new JobWorker({
        queue,
        redisUrl: config.redisUrl,
        prefix: config.queuePrefix,
        concurrency: concurrency[queue],
        lockDurationMs: config.worker.lockDurationMs,
        stalledIntervalMs: config.worker.stalledIntervalMs,
        maxStalledCount: config.worker.maxStalledCount,
        backoffCapMs: config.worker.backoffCapMs,
        metrics,
      });
      workers.set(queue, worker);
    }
    worker.handle(type, handler);
  }
  return [...workers.values()];
}
