import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { logger as namedLogger, type Logger } from "./logging.js";

/** What processing a key asks for next. */
export interface WorkResult {
  /** Process the key again after this many milliseconds even if nothing changes (polling a job, a deadline). */
  requeueAfter?: number;
}

export type ProcessKey = (key: string) => Promise<WorkResult | void>;

export interface WorkQueueOptions {
  /** Used in logs and metrics labels. */
  name: string;
  /** How many different keys are processed at the same time; one key is never processed twice at once. */
  concurrency: number;
  /** Throwing means "retry with backoff"; returning means success, which resets the key's backoff. */
  process: ProcessKey;
  /** Per-key retry delay after consecutive failures. */
  backoff?: BackoffOptions;
  onDepthChange?: (depth: number) => void;
  onRetry?: (key: string, failures: number, delayMs: number) => void;
  logger?: Logger;
}

const defaultBackoff: BackoffOptions = { baseMs: 1000, maxMs: 5 * 60_000 };

/**
 * A keyed work queue in the manner of client-go's workqueue: keys are de-duplicated while they wait, a key
 * added while it is being processed is queued again once that pass ends (so the latest state is always seen),
 * failures back off exponentially per key, and `addAfter` schedules a later pass. Keys run in FIFO order.
 */
export class WorkQueue {
  private readonly waiting = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while processing: they go back to `waiting` when the current pass ends. */
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, { readyAt: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private idleWaiters: Array<() => void> = [];
  private stopping = false;
  private draining = false;
  private readonly log: Logger;

  constructor(private readonly options: WorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
      throw new Error(`concurrency must be a positive integer, got ${options.concurrency}`);
    this.log = (options.logger ?? namedLogger("runtime.work-queue")).child({ queue: options.name });
  }

  get name(): string {
    return this.options.name;
  }

  /** Keys ready to be processed (not counting those in flight or waiting for a delay). */
  get depth(): number {
    return this.waiting.size;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.stopping;
  }

  add(key: string): void {
    if (this.stopping) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    this.depthChanged();
    this.pump();
  }

  /** Adds the key after `delayMs`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopping) return;
    if (delayMs <= 0) return this.add(key);
    const readyAt = Date.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.readyAt <= readyAt) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { readyAt, timer });
  }

  /** Counts a failure of `key` and adds it again after its backoff delay. */
  addRateLimited(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delayMs = backoffDelay(failures, this.options.backoff ?? defaultBackoff);
    this.options.onRetry?.(key, failures, delayMs);
    this.addAfter(key, delayMs);
    return delayMs;
  }

  /** Resets the key's backoff: the next failure waits the base delay again. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * True while a pass of `key` is still to come or under way: waiting, in flight, or delayed (a retry's backoff, a
   * requeueAfter). False means nothing will process the key until someone adds it again.
   */
  pending(key: string): boolean {
    return this.waiting.has(key) || this.processing.has(key) || this.delayed.has(key);
  }

  /** Resolves when nothing is waiting or in flight (delayed keys do not count). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking keys and resolves once in-flight passes end. Waiting keys are dropped unless `drain` is set,
   * in which case they are processed first. Delayed keys are always dropped: the next owner lists everything.
   */
  async shutdown(options: { drain?: boolean } = {}): Promise<void> {
    this.stopping = true;
    this.draining = options.drain ?? false;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.dirty.clear();
    if (!this.draining) {
      this.waiting.clear();
      this.depthChanged();
    }
    await this.whenIdle();
  }

  private pump(): void {
    while (this.processing.size < this.options.concurrency && this.waiting.size > 0) {
      if (this.stopping && !this.draining) return;
      const key = this.waiting.values().next().value as string;
      this.waiting.delete(key);
      this.processing.add(key);
      this.depthChanged();
      void this.processOne(key);
    }
  }

  private async processOne(key: string): Promise<void> {
    try {
      const result = await this.options.process(key);
      this.forget(key);
      if (result?.requeueAfter !== undefined) this.addAfter(key, result.requeueAfter);
    } catch (error) {
      if (!this.stopping) {
        const delayMs = this.addRateLimited(key);
        this.log.debug(
          { key, delayMs, err: error instanceof Error ? error.message : String(error) },
          "Processing failed; retrying after backoff",
        );
      }
    } finally {
      this.processing.delete(key);
      if (this.dirty.delete(key) && !this.stopping) {
        this.waiting.add(key);
        this.depthChanged();
      }
      this.pump();
      if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private isIdle(): boolean {
    return this.processing.size === 0 && (this.waiting.size === 0 || (this.stopping && !this.draining));
  }

  private depthChanged(): void {
    this.options.onDepthChange?.(this.waiting.size);
  }
}
