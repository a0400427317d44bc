import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export type ReconcileResultLabel = "success" | "error" | "requeue_after" | "stalled";

/** How one run of a queue job ended: the `result` label of job_duration_seconds, as job states name it. */
export type JobOutcome = "succeeded" | "failed";

/** Objects of one kind whose conditions the fleet gauges count: a controller's cache, read at scrape time. */
export interface ConditionSource {
  kind: string;
  objects(): readonly object[];
}

type WithConditions = {
  status?: { conditions?: readonly { type: string; status: string; lastTransitionTime?: string }[] };
};

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop lag); off in tests that create many registries. */
  collectDefaults?: boolean;
  /** Prefix of every metric name. */
  prefix?: string;
}

/**
 * Slipway's Prometheus metrics, one registry per process. Names follow controller-runtime where the meaning is
 * the same (reconcile_total, reconcile_time_seconds, workqueue_depth) so existing dashboards carry over.
 */
export class Metrics {
  readonly registry = new Registry();
  /** Reconciles by controller and result: success, error, requeue_after, stalled. */
  readonly reconcileTotal: Counter<"controller" | "result">;
  readonly reconcileErrors: Counter<"controller">;
  readonly reconcileDuration: Histogram<"controller">;
  readonly workQueueDepth: Gauge<"name">;
  readonly workQueueRetries: Counter<"name">;
  /**
   * Observed by queue workers: one sample per finished run (type: up, destroy, refresh, import, bootstrap ...;
   * result: succeeded or failed).
   */
  readonly jobDuration: Histogram<"type" | "result">;
  /** 1 while this replica leads, 0 otherwise. */
  readonly leaderStatus: Gauge<"name">;
  /**
   * The fleet as alerts see it (kube-state-metrics style): objects by kind and condition type and status, and
   * how long the oldest of them has been so, counted from the controllers' caches when scraped.
   */
  readonly resources: Gauge<"kind" | "condition" | "status">;
  readonly resourceConditionAge: Gauge<"kind" | "condition" | "status">;
  /** Jobs in each queue by state (waiting, active, delayed, failed ...), read from Redis when scraped. */
  readonly queueJobs: Gauge<"queue" | "state">;
  private queueSource?: () => Promise<Record<string, Record<string, number>>>;
  private conditionSources: () => readonly ConditionSource[] = () => [];

  constructor(options: MetricsOptions = {}) {
    const prefix = options.prefix ?? "slipway_";
    const registers = [this.registry];
    if (options.collectDefaults ?? true) collectDefaultMetrics({ register: this.registry, prefix });
    this.reconcileTotal = new Counter({
      name: `${prefix}reconcile_total`,
      help: "Reconciles by controller and result.",
      labelNames: ["controller", "result"],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: `${prefix}reconcile_errors_total`,
      help: "Reconciles that ended in an error (retried with backoff, or stalled).",
      labelNames: ["controller"],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: `${prefix}reconcile_time_seconds`,
      help: "Time one reconcile pass took.",
      labelNames: ["controller"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.workQueueDepth = new Gauge({
      name: `${prefix}workqueue_depth`,
      help: "Keys waiting to be reconciled.",
      labelNames: ["name"],
      registers,
    });
    this.workQueueRetries = new Counter({
      name: `${prefix}workqueue_retries_total`,
      help: "Keys re-added with backoff after a failure.",
      labelNames: ["name"],
      registers,
    });
    this.jobDuration = new Histogram({
      name: `${prefix}job_duration_seconds`,
      help: "Duration of queue jobs (Pulumi operations, imports, bootstraps) by type and result.",
      labelNames: ["type", "result"],
      // From a simulated cluster in a second to a cloud cluster in half an hour.
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600],
      registers,
    });
    this.leaderStatus = new Gauge({
      name: `${prefix}leader_election_master_status`,
      help: "1 when this replica holds the lease.",
      labelNames: ["name"],
      registers,
    });
    // Both gauges from one pass over the caches: the first collected (registered first) computes them.
    this.resources = new Gauge({
      name: `${prefix}resources`,
      help: "Slipway objects by kind and condition type and status (from the controller's caches).",
      labelNames: ["kind", "condition", "status"],
      registers,
      collect: () => this.collectConditions(),
    });
    this.queueJobs = new Gauge({
      name: `${prefix}queue_jobs`,
      help: "Jobs in each queue by state, as Redis holds them (waiting: a backlog for the workers).",
      labelNames: ["queue", "state"],
      registers,
      collect: () => this.collectQueues(),
    });
    this.resourceConditionAge = new Gauge({
      name: `${prefix}resource_condition_age_seconds`,
      help: "How long the oldest object of a kind has had a condition in a status (since its lastTransitionTime).",
      labelNames: ["kind", "condition", "status"],
      registers,
    });
  }

  /** Where slipway_queue_jobs reads job counts from (the controller's queues); nothing until set. */
  watchQueues(counts: () => Promise<Record<string, Record<string, number>>>): void {
    this.queueSource = counts;
  }

  private async collectQueues(): Promise<void> {
    this.queueJobs.reset();
    // Redis away: no sample rather than a failed scrape (the process's own metrics still matter then).
    const byQueue = await this.queueSource?.().catch(() => undefined);
    for (const [queue, states] of Object.entries(byQueue ?? {}))
      for (const [state, count] of Object.entries(states)) this.queueJobs.set({ queue, state }, count);
  }

  /** Where the fleet gauges count from (the manager's primary caches); nothing until set. */
  watchConditions(sources: () => readonly ConditionSource[]): void {
    this.conditionSources = sources;
  }

  private collectConditions(now = Date.now()): void {
    this.resources.reset();
    this.resourceConditionAge.reset();
    for (const source of this.conditionSources()) {
      const counts = new Map<string, { labels: Record<string, string>; count: number; oldest: number }>();
      for (const object of source.objects() as WithConditions[]) {
        for (const c of object.status?.conditions ?? []) {
          const labels = { kind: source.kind, condition: c.type, status: c.status };
          const key = `${c.type}/${c.status}`;
          const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : now;
          const entry = counts.get(key) ?? { labels, count: 0, oldest: now };
          entry.count += 1;
          entry.oldest = Math.min(entry.oldest, Number.isNaN(since) ? now : since);
          counts.set(key, entry);
        }
      }
      for (const { labels, count, oldest } of counts.values()) {
        this.resources.set(labels, count);
        this.resourceConditionAge.set(labels, Math.max(0, (now - oldest) / 1000));
      }
    }
  }

  /** Records one finished job; `startedAt` is when the job began running (not when it was enqueued). */
  observeJob(type: string, result: JobOutcome, startedAt: Date | number): void {
    const started = typeof startedAt === "number" ? startedAt : startedAt.getTime();
    this.jobDuration.observe({ type, result }, Math.max(0, (Date.now() - started) / 1000));
  }
}
