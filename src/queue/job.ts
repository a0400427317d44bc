/**
 * What every job shares, whatever kind of resource it works for. A job's payload holds references only: the
 * handler reads the resource (and any Secret) from the hub itself, so nothing secret ever sits in Redis.
 */
export interface JobData {
  /** Picks the handler a worker hands the job to, e.g. "cluster-deployment-stack". */
  type: string;
  /** Kind of the resource the job works for; job events are routed to that kind's controller. */
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  /** The resource's generation the job was queued for. */
  generation: number;
  /** What the job does to the resource ("up", "destroy", "register" ...): unique among the resource's jobs. */
  operation: string;
}

/** Pulumi runs (up, destroy, refresh) of every kind: slots are few and runs are long. */
export const PULUMI_QUEUE = "pulumi";
/** Work on a spoke (registration, bootstrap evaluation): slow remote calls that must never hold a Pulumi slot. */
export const SPOKE_QUEUE = "spoke";
export const JOB_QUEUES = [PULUMI_QUEUE, SPOKE_QUEUE] as const;
export type JobQueueName = (typeof JOB_QUEUES)[number];

/**
 * BullMQ runs jobs without a priority first, then the lowest number: periodic checks (a drift refresh) wait for
 * what people asked for (provision, power, delete).
 */
export const BACKGROUND_PRIORITY = 100;
/** Operations queued at BACKGROUND_PRIORITY unless a queue is told otherwise. */
export const DEFAULT_PRIORITIES: Readonly<Record<string, number>> = { refresh: BACKGROUND_PRIORITY };

export type JobState = "waiting" | "delayed" | "active" | "completed" | "failed" | "missing";

/** A job as the controller sees it: enough to follow it and copy its result into status. */
export interface JobView<D extends JobData = JobData, R = unknown, P = unknown> {
  id: string;
  state: JobState;
  data?: D;
  progress?: P;
  result?: R;
  failedReason?: string;
  attemptsMade: number;
  /** A delayed job: when it runs again (after a failed attempt's backoff, or a deferral). */
  retryAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

/**
 * Deterministic: the same resource, generation and operation always give the same id, so a controller that
 * restarts or rebuilds after a Redis flush never queues the same work twice. BullMQ ids must not contain ':'.
 */
export function jobId(data: Pick<JobData, "uid" | "generation" | "operation">, suffix?: string): string {
  const id = [data.uid, `g${data.generation}`, data.operation, ...(suffix ? [suffix] : [])].join(".");
  if (id.includes(":")) throw new Error(`job id ${id} contains ':', which BullMQ does not allow`);
  return id;
}

/** Who a job works for, as logs name it: `ClusterDeployment: ns/name`. */
export function jobSubject(data: Pick<JobData, "kind" | "namespace" | "name">): Record<string, string> {
  return { [data.kind]: `${data.namespace}/${data.name}` };
}

/**
 * The Redis key that asks the worker running job `id` to cancel it. Whoever queued the job sets it (and sets it
 * again on every pass while it still wants the cancel: Redis may lose it); the worker polls it while the job runs.
 */
export function cancelKey(prefix: string, id: string): string {
  return `${prefix}:job-cancel:${id}`;
}

/** How a cancelled job's failedReason starts: the job layer fails it for good with the cancel's reason after it. */
export const CANCELLED_PREFIX = "Cancelled: ";
