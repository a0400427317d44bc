import type { SlipwayConfig } from "../runtime/config.js";
import type { KubeClient } from "../runtime/kube-client.js";
import type { Metrics } from "../runtime/metrics.js";
import type { JobData } from "./job.js";
import { JobEventRouter, type JobEvent } from "./job-events.js";
import { JobQueue } from "./job-queue.js";

export interface ControllerJobsOptions {
  redisUrl: string;
  prefix: string;
  /** Attempts before a job fails (config.worker.attempts). */
  attempts?: number;
  /** The first retry's wait (config.worker.backoffMs). */
  backoffMs: number;
}

/**
 * The one job-queue factory of a controller process: one client per queue name, whoever asks (registration and
 * policy evaluations share the "spoke" queue), and one job-event router over every queue a controller listens to.
 * Kind-agnostic: a controller says which kind's events it wants; what a job means stays with that controller.
 */
export class ControllerJobs {
  /** A Runnable of the Manager (`manager.add(deps.jobs)`): started with it, stopped with it. */
  readonly name = "controller-jobs";
  private readonly queues = new Map<string, JobQueue<JobData, unknown, unknown>>();
  private readonly listeners: { queue: string; kind: string; listener: (event: JobEvent) => void }[] = [];
  private router?: JobEventRouter;

  constructor(private readonly opts: ControllerJobsOptions) {}

  /** The client of queue `name` (made on first use; typed by the caller, who owns what its jobs mean). */
  queue<D extends JobData, R = unknown, P = unknown>(name: string): JobQueue<D, R, P> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new JobQueue<JobData, unknown, unknown>({
        name,
        redisUrl: this.opts.redisUrl,
        prefix: this.opts.prefix,
        attempts: this.opts.attempts,
        backoffMs: this.opts.backoffMs,
      });
      this.queues.set(name, queue);
    }
    return queue as unknown as JobQueue<D, R, P>;
  }

  /** Calls `listener` for every event of a job of `queue` that names a resource of `kind`. Before `start()`. */
  onJobEvent(queue: string, kind: string, listener: (event: JobEvent) => void): void {
    if (this.router) throw new Error(`subscribe to ${queue} job events before the controller jobs start`);
    this.listeners.push({ queue, kind, listener });
  }

  /** Starts routing job events of the queues subscribed to. */
  async start(): Promise<void> {
    if (this.router) return;
    const queues = [...new Set(this.listeners.map((l) => l.queue))];
    this.router = new JobEventRouter({ redisUrl: this.opts.redisUrl, prefix: this.opts.prefix, queues });
    for (const { queue, kind, listener } of this.listeners)
      this.router.subscribe(kind, (event) => {
        if (event.queue === queue) listener(event);
      });
    if (queues.length) await this.router.start();
  }

  /** slipway_queue_jobs: each queue's jobs by state, so a backlog can be alerted on. */
  observe(metrics: Metrics): void {
    metrics.watchQueues(async () =>
      Object.fromEntries(
        await Promise.all(
          [...this.queues].map(async ([name, queue]) => [name, await queue.counts()] as const),
        ),
      ),
    );
  }

  stop(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    await this.router?.close();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

/**
 * What every controller folder's `register(manager, deps)` gets: the hub client, the parsed config and the job
 * factory. A folder's own tuning comes from `config`; tests and benchmarks pass a third, folder-typed options
 * argument.
 */
export interface ControllerDependencies {
  kube: KubeClient;
  config: SlipwayConfig & { redisUrl: string };
  jobs: ControllerJobs;
}

export function controllerDependencies(
  kube: KubeClient,
  config: SlipwayConfig & { redisUrl: string },
): ControllerDependencies {
  const jobs = new ControllerJobs({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.worker.attempts,
    backoffMs: config.worker.backoffMs,
  });
  return { kube, config, jobs };
}
