import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job, type MinimalJob } from "bullmq";
import { logger } from "../runtime/logging.js";
import type { JobOutcome, Metrics } from "../runtime/metrics.js";
import { JobDeferredError, TerminalJobError } from "../errors/index.js";
import { CANCELLED_PREFIX, cancelKey, jobSubject, type JobData } from "./job.js";
import { redisConnection, type RedisConnection } from "./redis.js";
import { isWriteRefused, ThrottledErrorLog } from "./redis-errors.js";
import { retryDelayMs, type RetrySchedule } from "./retry-schedule.js";

const log = logger("job-worker");
const DEFAULT_BACKOFF_CAP_MS = 5 * 60_000;
/** While Redis refuses writes, job intake pauses 1 s, then twice as long each time, up to 30 s. */
const WRITE_REFUSED_PAUSE: RetrySchedule = { baseMs: 1_000, capMs: 30_000 };
const DEFAULT_CANCEL_POLL_MS = 1_000;

/** What a handler sees of its job. */
export interface JobContext<D extends JobData = JobData, P = unknown> {
  readonly id: string;
  readonly data: D;
  /** 1 on the first run, counting runs that failed (a deferred run does not count). */
  readonly attempt: number;
  /** Reports how far the job got; never fails or slows the job. */
  progress(progress: P): void;
  /**
   * Aborts when whoever queued the job asks to cancel it (JobQueue.requestCancel); its reason is the request's
   * text. A cancelled job that throws fails for good: it is never retried.
   */
  readonly signal: AbortSignal;
}

/**
 * Does one type of job. Returns the result the controller copies into status (never secrets). Throws
 * TerminalJobError to stop, JobDeferredError to wait without using an attempt, anything else to be retried with
 * backoff.
 */
export type JobHandler<D extends JobData = JobData, R = unknown, P = unknown> = (
  job: JobContext<D, P>,
) => Promise<R>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler narrows JobData to its own payload
export type AnyJobHandler = JobHandler<any, unknown, any>;

export interface JobWorkerOptions {
  /** The queue this worker takes jobs from (PULUMI_QUEUE, SPOKE_QUEUE). */
  queue: string;
  redisUrl: string;
  prefix: string;
  /** Jobs run at once by this worker. */
  concurrency: number;
  /** BullMQ lock, renewed every lockDuration/2 while a job runs; a dead worker's jobs return after it expires. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  /** The longest wait between two attempts of a job (capped-exponential backoff). Default 5 min. */
  backoffCapMs?: number;
  /** Observes every finished run (job_duration_seconds). */
  metrics?: Metrics;
  /** How often a running job's cancel request is looked for in Redis. Default 1 s. */
  cancelPollMs?: number;
}

/**
 * Takes jobs from one queue and hands each to the handler registered for its type. Knows no kind: reading the
 * resource, running its stack, writing its Secrets are the handler's.
 */
export class JobWorker {
  readonly worker: Worker<JobData>;
  private readonly handlers = new Map<string, AnyJobHandler>();
  /** BullMQ never closes a connection it was handed. */
  private readonly connection: RedisConnection;
  private readonly errors = new ThrottledErrorLog(log);
  /** Pauses of job intake in a row because Redis refused writes; 0 once a job was taken again. */
  private refusals = 0;
  private resumeTimer?: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly opts: JobWorkerOptions) {
    this.connection = redisConnection(opts.redisUrl);
    this.worker = new Worker<JobData>(opts.queue, (job, token) => this.process(job, token), {
      connection: this.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      lockDuration: opts.lockDurationMs,
      stalledInterval: opts.stalledIntervalMs,
      maxStalledCount: opts.maxStalledCount,
      autorun: false,
      settings: {
        // The queue gives the first wait (the job's backoff delay); doubling up to the cap, without an end.
        backoffStrategy: (attemptsMade: number, _type?: string, _err?: Error, job?: MinimalJob) =>
          retryDelayMs(attemptsMade, {
            baseMs:
              job?.opts.backoff && typeof job.opts.backoff === "object" ? (job.opts.backoff.delay ?? 0) : 0,
            capMs: opts.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS,
          }),
      },
    });
    // Without a listener BullMQ prints every failed Redis call with its stack to stderr; while Redis refuses
    // writes its fetch loop fails (and printed) thousands of times a second, growing the log and the heap.
    this.worker.on("error", (err) => this.onRedisError(err));
    this.worker.on("active", () => (this.refusals = 0));
    this.worker.on("failed", (job, err) => {
      if (job)
        log.warn(
          { queue: opts.queue, jobId: job.id, attemptsMade: job.attemptsMade, reason: err.name },
          `Job failed: ${err.message}`,
        );
    });
  }

  /** Registers the handler of one job type; register every type before `run()`. */
  handle(type: string, handler: AnyJobHandler): this {
    if (this.handlers.has(type))
      throw new Error(`job type ${type} already has a handler on ${this.opts.queue}`);
    this.handlers.set(type, handler);
    return this;
  }

  get types(): string[] {
    return [...this.handlers.keys()];
  }

  run(): Promise<void> {
    return this.worker.run();
  }

  isRunning(): boolean {
    return this.worker.isRunning();
  }

  /** Waits for running jobs to finish, then disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.resumeTimer);
    await this.worker.close();
    this.connection.disconnect();
  }

  /**
   * BullMQ retries a failed fetch at once when the error is not a lost connection: a Redis that refuses writes
   * would spin its loop. So take no new job for a while (running jobs go on), longer each time it happens again.
   */
  private onRedisError(err: Error): void {
    this.errors.report(err, { queue: this.opts.queue });
    if (!isWriteRefused(err) || this.resumeTimer || this.closing) return;
    this.refusals += 1;
    const pauseMs = retryDelayMs(this.refusals, WRITE_REFUSED_PAUSE);
    log.warn(
      { queue: this.opts.queue, pauseMs },
      "Redis refuses writes: taking no new job until the pause ends",
    );
    void this.worker.pause(true).catch(() => undefined);
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      if (!this.closing) void this.worker.resume().catch((e: Error) => this.onRedisError(e));
    }, pauseMs);
    this.resumeTimer.unref();
  }

  private async process(job: Job<JobData>, token?: string): Promise<unknown> {
    const handler = this.handlers.get(job.data.type);
    if (!handler) {
      throw new UnrecoverableError(
        `NoHandler: no handler for job type "${job.data.type}" on queue ${this.opts.queue} in this worker`,
      );
    }
    const started = Date.now();
    const cancel = new AbortController();
    const key = cancelKey(this.opts.prefix, job.id!);
    const lookForCancel = async () => {
      const reason = await this.connection.get(key).catch(() => null); // Redis away: look again next time
      if (reason !== null && !cancel.signal.aborted) {
        log.info({ ...jobSubject(job.data), jobId: job.id, reason }, `Cancelling ${job.data.operation}`);
        cancel.abort(new Error(reason));
      }
    };
    await lookForCancel();
    const poll = setInterval(() => void lookForCancel(), this.opts.cancelPollMs ?? DEFAULT_CANCEL_POLL_MS);
    poll.unref();
    const context: JobContext = {
      id: job.id!,
      data: job.data,
      attempt: job.attemptsMade + 1,
      progress: (p) => void job.updateProgress(p as object).catch(() => undefined),
      signal: cancel.signal,
    };
    try {
      const result = await handler(context);
      this.observe(job.data, "succeeded", started);
      return result;
    } catch (err) {
      if (cancel.signal.aborted) {
        // Asked for by whoever queued it: a retry would undo the reason for the cancel (an up re-creating what a
        // delete is about to destroy).
        this.observe(job.data, "failed", started);
        throw new UnrecoverableError(`${CANCELLED_PREFIX}${(cancel.signal.reason as Error).message}`);
      }
      if (err instanceof JobDeferredError) {
        log.info(
          { ...jobSubject(job.data), jobId: job.id, reason: err.reason, retryInMs: err.retryInMs },
          `Deferring ${job.data.operation}: ${err.message}`,
        );
        if (err.retryInMs <= 0) {
          // Handed back (its worker stops): waiting again at once, for the next free worker to take.
          await job.moveToWait(token);
          throw new WaitingError();
        }
        await job.moveToDelayed(Date.now() + err.retryInMs, token);
        throw new DelayedError();
      }
      this.observe(job.data, "failed", started);
      if (err instanceof TerminalJobError) throw new UnrecoverableError(`${err.reason}: ${err.message}`);
      throw err;
    } finally {
      clearInterval(poll);
      if (cancel.signal.aborted) await this.connection.del(key).catch(() => undefined);
    }
  }

  private observe(data: JobData, outcome: JobOutcome, started: number): void {
    this.opts.metrics?.observeJob(data.operation, outcome, started);
  }
}
