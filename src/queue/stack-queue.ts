import { Queue, QueueEvents, type JobsOptions } from "bullmq";
import {
  STACK_QUEUE,
  stackJobId,
  type StackJobData,
  type StackJobProgress,
  type StackJobResult,
} from "./stack-job.js";
import type { Redis } from "ioredis";
import { redisConnection } from "./redis.js";

export interface StackQueueOptions {
  redisUrl: string;
  prefix: string;
  attempts: number;
  backoffMs: number;
}

export type JobState = "waiting" | "delayed" | "active" | "completed" | "failed" | "missing";

export interface JobView {
  id: string;
  state: JobState;
  data?: StackJobData;
  progress?: StackJobProgress;
  result?: StackJobResult;
  failedReason?: string;
  attemptsMade: number;
  startedAt?: Date;
  finishedAt?: Date;
}

/** The controller's side of the stack queue: enqueue by deterministic id, look jobs up, hear about changes. */
/** BullMQ runs jobs without a priority first, then the lowest number: periodic refreshes come last. */
export const REFRESH_PRIORITY = 100;

export class StackQueue {
  readonly queue: Queue<StackJobData, StackJobResult>;
  private events?: QueueEvents;
  /** BullMQ never closes connections it was handed: these are ours to close. */
  private readonly connections: Redis[] = [];

  constructor(private readonly opts: StackQueueOptions) {
    this.queue = new Queue(STACK_QUEUE, { connection: this.connect(), prefix: opts.prefix });
  }

  /** Adds the job unless one with the same id exists (BullMQ ignores a duplicate id). Returns the id. */
  async enqueue(data: StackJobData, suffix?: string): Promise<string> {
    const jobId = stackJobId(data, suffix);
    const options: JobsOptions = {
      jobId,
      attempts: this.opts.attempts,
      backoff: { type: "exponential", delay: this.opts.backoffMs },
      // Keep finished jobs long enough for the controller to read their result after a restart.
      removeOnComplete: { age: 24 * 3600, count: 5000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
      // Drift checks wait for the workers to be free of what people asked for (provision, power, delete).
      ...(data.operation === "refresh" ? { priority: REFRESH_PRIORITY } : {}),
    };
    await this.queue.add(data.operation, data, options);
    return jobId;
  }

  /** Takes a job that has not started out of the queue; false when a worker already holds it. */
  async withdraw(jobId: string): Promise<boolean> {
    return (await this.queue.remove(jobId)) === 1;
  }

  async lookup(jobId: string): Promise<JobView> {
    // State first, then the job's hash: a job only moves forward (waiting -> active -> completed), so a hash read
    // after a "completed" state always carries the return value. The other order can pair a finished state with
    // the hash of a still-active job, whose result is empty.
    const state = (await this.queue.getJobState(jobId)) as string;
    const job = state === "unknown" ? undefined : await this.queue.getJob(jobId);
    if (!job) return { id: jobId, state: "missing", attemptsMade: 0 };
    return {
      id: jobId,
      state: (["waiting", "delayed", "active", "completed", "failed"].includes(state)
        ? state
        : "waiting") as JobState,
      data: job.data,
      progress: typeof job.progress === "object" ? (job.progress as unknown as StackJobProgress) : undefined,
      result: job.returnvalue ?? undefined,
      failedReason: job.failedReason || undefined,
      attemptsMade: job.attemptsMade,
      startedAt: job.processedOn ? new Date(job.processedOn) : undefined,
      finishedAt: job.finishedOn ? new Date(job.finishedOn) : undefined,
    };
  }

  /** Calls back with the job's resource whenever a job starts, reports progress, completes or fails. */
  async onChange(callback: (data: StackJobData) => void): Promise<void> {
    this.events = new QueueEvents(STACK_QUEUE, { connection: this.connect(), prefix: this.opts.prefix });
    const notify = async ({ jobId }: { jobId: string }) => {
      const job = await this.queue.getJob(jobId).catch(() => undefined);
      if (job) callback(job.data);
    };
    for (const event of ["active", "progress", "completed", "failed"] as const) {
      this.events.on(event, (args: { jobId: string }) => void notify(args));
    }
    await this.events.waitUntilReady();
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts("waiting", "active", "delayed", "completed", "failed");
  }

  async close(): Promise<void> {
    await this.events?.close();
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
  }

  private connect(): Redis {
    const connection = redisConnection(this.opts.redisUrl);
    this.connections.push(connection);
    return connection;
  }
}
