import { Queue, QueueEvents } from "bullmq";
import { logger } from "../runtime/logging.js";
import type { JobData } from "./job.js";
import { redisConnection, type RedisConnection } from "./redis.js";

const log = logger("job-events");

/** Something happened to a job: enough for the controller of its kind to reconcile the resource it names. */
export interface JobEvent {
  queue: string;
  jobId: string;
  event: JobEventType;
  kind: string;
  namespace: string;
  name: string;
}

export type JobEventType = "active" | "progress" | "delayed" | "completed" | "failed";
const EVENT_TYPES: readonly JobEventType[] = ["active", "progress", "delayed", "completed", "failed"];

export interface JobEventRouterOptions {
  redisUrl: string;
  prefix: string;
  /** The queues whose events are routed. */
  queues: readonly string[];
}

/** Jobs of a resource fire several events each; their references never change, so a few are kept. */
const REFERENCE_CACHE_SIZE = 2000;

/**
 * Routes job events (started, progress, delayed, finished) to the controller of the kind each job names, so the
 * resource is reconciled at once instead of at the next poll. Level-triggered: a listener gets a reference to
 * reconcile, never a result to act on.
 */
export class JobEventRouter {
  private readonly listeners = new Map<string, Set<(event: JobEvent) => void>>();
  private readonly queues = new Map<string, Queue<JobData>>();
  private readonly events: QueueEvents[] = [];
  private readonly references = new Map<string, Pick<JobData, "kind" | "namespace" | "name">>();
  /** BullMQ never closes connections it was handed: these are ours to close. */
  private readonly connections: RedisConnection[] = [];

  constructor(private readonly opts: JobEventRouterOptions) {}

  /** Calls `listener` for every event of a job whose resource is of this kind; returns an unsubscribe. */
  subscribe(kind: string, listener: (event: JobEvent) => void): () => void {
    let set = this.listeners.get(kind);
    if (!set) this.listeners.set(kind, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Starts listening; resolves once every queue's event stream is read. */
  async start(): Promise<void> {
    for (const name of this.opts.queues) {
      const queue = new Queue<JobData>(name, { connection: this.connect(), prefix: this.opts.prefix });
      const events = new QueueEvents(name, { connection: this.connect(), prefix: this.opts.prefix });
      // A lost Redis is logged once per interval by redisConnection's listener; without these BullMQ prints
      // every failed reconnect with console.error.
      queue.on("error", () => undefined);
      events.on("error", () => undefined);
      this.queues.set(name, queue);
      this.events.push(events);
      for (const event of EVENT_TYPES) {
        events.on(event, ({ jobId }: { jobId: string }) => void this.route(name, jobId, event));
      }
    }
    await Promise.all(this.events.map((e) => e.waitUntilReady()));
  }

  async close(): Promise<void> {
    await Promise.all(this.events.map((e) => e.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const connection of this.connections) connection.disconnect();
  }

  private async route(queue: string, jobId: string, event: JobEventType): Promise<void> {
    const ref = await this.reference(queue, jobId);
    if (!ref) return; // removed meanwhile: the controller finds out on its next pass
    const listeners = this.listeners.get(ref.kind);
    if (!listeners?.size) {
      log.debug({ queue, jobId, kind: ref.kind }, "No controller listens for job events of this kind");
      return;
    }
    for (const listener of listeners) {
      try {
        listener({ queue, jobId, event, ...ref });
      } catch (err) {
        log.warn({ queue, jobId, kind: ref.kind }, `Job event listener failed: ${(err as Error).message}`);
      }
    }
  }

  private async reference(
    queue: string,
    jobId: string,
  ): Promise<Pick<JobData, "kind" | "namespace" | "name"> | undefined> {
    const key = `${queue}/${jobId}`;
    const cached = this.references.get(key);
    if (cached) return cached;
    const job = await this.queues
      .get(queue)
      ?.getJob(jobId)
      .catch(() => undefined);
    if (!job?.data?.kind) return undefined;
    const ref = { kind: job.data.kind, namespace: job.data.namespace, name: job.data.name };
    if (this.references.size >= REFERENCE_CACHE_SIZE) {
      this.references.delete(this.references.keys().next().value!);
    }
    this.references.set(key, ref);
    return ref;
  }

  private connect(): RedisConnection {
    const connection = redisConnection(this.opts.redisUrl);
    this.connections.push(connection);
    return connection;
  }
}
