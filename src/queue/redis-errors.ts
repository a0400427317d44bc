import type { Logger } from "pino";

/**
 * Redis answers writes with one of these while it cannot take them: MISCONF (a failing RDB save with
 * stop-writes-on-bgsave-error), OOM (maxmemory with noeviction), READONLY (a replica after a failover),
 * NOREPLICAS (min-replicas-to-write). Reads still work, so nothing looks disconnected.
 */
const WRITE_REFUSED = /\b(MISCONF|OOM|READONLY|NOREPLICAS)\b/;

export function isWriteRefused(error: Error): boolean {
  return WRITE_REFUSED.test(error.message);
}

/** Most distinct error texts remembered; beyond it the oldest is forgotten (and may be logged again). */
const MAX_KINDS = 64;

/**
 * Logs an error at most once per interval per kind (its first line), with how many were swallowed since: BullMQ
 * emits one error per failed Redis call, and a Redis refusing writes fails thousands of calls a second.
 */
export class ThrottledErrorLog {
  private readonly kinds = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  report(error: Error, fields: Record<string, unknown> = {}): void {
    const kind = error.message.split("\n")[0]!.slice(0, 200);
    const seen = this.kinds.get(kind);
    const now = this.now();
    if (seen && now - seen.loggedAt < this.intervalMs) {
      seen.suppressed += 1;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.kinds.delete(kind);
    if (this.kinds.size >= MAX_KINDS) this.kinds.delete(this.kinds.keys().next().value!);
    this.kinds.set(kind, { loggedAt: now, suppressed: 0 });
    this.log.warn(
      { ...fields, ...(suppressed ? { suppressedSinceLast: suppressed } : {}) },
      `Redis error: ${kind}`,
    );
  }
}
