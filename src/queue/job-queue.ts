import { Queue, type JobsOptions } from "bullmq";
import { cancelKey, DEFAULT_PRIORITIES, jobId, type JobData, type JobState, type JobView } from "./job.js";
import { redisConnection, type RedisConnection } from "./redis.js";
import { CAPPED_EXPONENTIAL, UNLIMITED_ATTEMPTS } from "./retry-schedule.js";

export interface JobQueueOptions {
  /** PULUMI_QUEUE or SPOKE_QUEUE. */
  name: string;
  redisUrl: string;
  prefix: string;
  /** Attempts before a job fails; 0 or undefined: no limit (transient failures retry forever, see retry-schedule). */
  attempts?: number;
  /** The first retry's wait; the worker doubles it up to its cap. */
  backoffMs: number;
  /** Priority by operation (lower runs first, none runs before any); DEFAULT_PRIORITIES when omitted. */
  priorities?: Readonly<Record<string, number>>;
}

const KNOWN_STATES: readonly string[] = ["waiting", "delayed", "active", "completed", "failed"];

/**
 * The controller's side of one queue: enqueue by deterministic id, look a job up, withdraw or remove it. Knows
 * no kind: what a job means lives with the controller that queues it and the handler that runs it.
 */
export class JobQueue<D extends JobData = JobData, R = unknown, P = unknown> {
  readonly name: string;
  private readonly queue: Queue<D, R>;
  /** BullMQ never closes a connection it was handed: this one is ours to close. */
  private readonly connection: RedisConnection;

  constructor(private readonly opts: JobQueueOptions) {
    this.name = opts.name;
    this.connection = redisConnection(opts.redisUrl);
    this.queue = new Queue(opts.name, { connection: this.connection, prefix: opts.prefix });
    // A lost Redis is logged by redisConnection's listener; a failed call rejects to its caller.
    this.queue.on("error", () => undefined);
  }

  /**
   * Adds the job unless one with the same id exists (BullMQ ignores a duplicate id). Returns the id. With
   * `delayMs` the job waits in Redis that long before a worker may take it (a timer that survives restarts).
   */
  async enqueue(data: D, suffix?: string, schedule: { delayMs?: number } = {}): Promise<string> {
    const id = jobId(data, suffix);
    const priority = (this.opts.priorities ?? DEFAULT_PRIORITIES)[data.operation];
    const options: JobsOptions = {
      jobId: id,
      attempts: this.opts.attempts || UNLIMITED_ATTEMPTS,
      backoff: { type: CAPPED_EXPONENTIAL, delay: this.opts.backoffMs },
      // Keep finished jobs long enough for the controller to read their result after a restart.
      removeOnComplete: { age: 24 * 3600, count: 5000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
      ...(priority !== undefined ? { priority } : {}),
      ...(schedule.delayMs && schedule.delayMs > 0 ? { delay: Math.ceil(schedule.delayMs) } : {}),
    };
    // BullMQ derives the name type from D when D is a Job; ours is always a plain payload named by its operation.
    await this.queue.add(data.operation as never, data as never, options);
    return id;
  }

  /** Takes a job that has not started out of the queue; false when a worker already holds it. */
  async withdraw(id: string): Promise<boolean> {
    return (await this.queue.remove(id)) === 1;
  }

  /**
   * Asks the worker running job `id` to cancel it: the handler's signal aborts, and the job fails for good (never
   * retried). Idempotent; the request lasts `ttlMs` in Redis, so a caller that still wants the cancel asks again
   * (each pass): Redis may lose it.
   */
  async requestCancel(id: string, reason: string, ttlMs = 10 * 60_000): Promise<void> {
    await this.connection.set(cancelKey(this.opts.prefix, id), reason.slice(0, 512), "PX", ttlMs);
  }

  /** Removes a job that is not running, finished or not; a job a worker holds stays (BullMQ refuses). */
  async remove(id: string): Promise<void> {
    await this.queue.remove(id);
  }

  async lookup(id: string): Promise<JobView<D, R, P>> {
    // State first, then the job's hash: a job only moves forward (waiting -> active -> completed), so a hash read
    // after a "completed" state always carries the return value. The other order can pair a finished state with
    // the hash of a still-active job, whose result is empty.
    const state = (await this.queue.getJobState(id)) as string;
    const job = state === "unknown" ? undefined : await this.queue.getJob(id);
    if (!job) return { id, state: "missing", attemptsMade: 0 };
    return {
      id,
      // "prioritized" and "waiting-children" are waiting as far as a controller cares.
      state: (KNOWN_STATES.includes(state) ? state : "waiting") as JobState,
      data: job.data as D,
      progress: typeof job.progress === "object" ? (job.progress as P) : undefined,
      result: job.returnvalue ?? undefined,
      failedReason: job.failedReason || undefined,
      attemptsMade: job.attemptsMade,
      retryAt: state === "delayed" ? await this.delayedUntil(id) : undefined,
      startedAt: job.processedOn ? new Date(job.processedOn) : undefined,
      finishedAt: job.finishedOn ? new Date(job.finishedOn) : undefined,
    };
  }

  /** When a delayed job (a retry after backoff, or a deferral) is due: BullMQ scores it timestamp * 0x1000. */
  private async delayedUntil(id: string): Promise<Date | undefined> {
    const score = await this.connection.zscore(this.queue.keys.delayed!, id);
    return score === null ? undefined : new Date(Math.floor(Number(score) / 0x1000));
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts("waiting", "active", "delayed", "completed", "failed");
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
