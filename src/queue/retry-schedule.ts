/**
 * How long a failed job waits before its next attempt: transient failures are retried without limit, first
 * after `baseMs`, each wait twice the last, never more than `capMs` (defaults 5 s doubling to 5 min: 5, 10, 20,
 * 40, 80, 160, 300, 300 ... s). Only a terminal failure stops a job.
 */
export interface RetrySchedule {
  baseMs: number;
  capMs: number;
}

/** The BullMQ backoff type of stack jobs; JobWorker computes it with retryDelayMs and its cap. */
export const CAPPED_EXPONENTIAL = "capped-exponential";

/** BullMQ's "no limit" for a job's attempts: it compares attemptsMade with a number. */
export const UNLIMITED_ATTEMPTS = Number.MAX_SAFE_INTEGER;

/** The wait after failed attempt number `failedAttempts` (from 1): min(cap, base * 2^(failedAttempts-1)). */
export function retryDelayMs(failedAttempts: number, schedule: RetrySchedule): number {
  const exponent = Math.min(Math.max(0, failedAttempts - 1), 52); // 2^52 ms is already past any cap
  return Math.min(schedule.capMs, schedule.baseMs * 2 ** exponent);
}

/** When the next attempt after failed attempt `failedAttempts` starts, counted from when it failed. */
export function nextRetryAt(failedAt: Date, failedAttempts: number, schedule: RetrySchedule): Date {
  return new Date(failedAt.getTime() + retryDelayMs(failedAttempts, schedule));
}

/**
 * BullMQ fails a job whose worker died more often than maxStalledCount allows with this reason. It is no fault
 * of the job's spec: the controller queues the job again after a backoff (a job that keeps killing its worker
 * then retries at the capped pace instead of at once).
 */
export function isWorkerLost(failedReason: string | undefined): boolean {
  return /stalled more than allowable limit/.test(failedReason ?? "");
}
