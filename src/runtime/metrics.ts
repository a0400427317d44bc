import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export type ReconcileResultLabel = "success" | "error" | "requeue_after" | "stalled";

/** How one run of a queue job ended: the `result` label of job_duration_seconds, as job states name it. */
export type JobOutcome = "succeeded" | "failed";

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
  }

  /** Records one finished job; `startedAt` is when the job began running (not when it was enqueued). */
  observeJob(type: string, result: JobOutcome, startedAt: Date | number): void {
    const started = typeof startedAt === "number" ? startedAt : startedAt.getTime();
    this.jobDuration.observe({ type, result }, Math.max(0, (Date.now() - started) / 1000));
  }
}
