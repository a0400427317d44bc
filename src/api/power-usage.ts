import type { PowerStatus } from "./operation-status.js";

/** status.power.usage: the cost counters the power controller keeps (see src/power/usage.ts). */
export type PowerUsage = NonNullable<PowerStatus["usage"]>;

export interface UsageTotals {
  runningSeconds: number;
  hibernatedSeconds: number;
  savedSeconds: number;
}

/** Adds `seconds` to the bucket of the state counted since countedUntil. */
export function addUsageSeconds(usage: PowerUsage, seconds: number): void {
  if (usage.countedState === "Hibernating") {
    usage.hibernatedSeconds = (usage.hibernatedSeconds ?? 0) + seconds;
    if (usage.countedSource === "Schedule" || usage.countedSource === "HibernateAfter")
      usage.savedSeconds = (usage.savedSeconds ?? 0) + seconds;
  } else usage.runningSeconds = (usage.runningSeconds ?? 0) + seconds;
}

/** The counters as of `now` (what was counted plus the time since countedUntil): for reading, never stored. */
export function usageAt(usage: PowerUsage | undefined, now: Date): UsageTotals {
  const current = { ...(usage ?? {}) } as PowerUsage;
  if (usage?.countedUntil) {
    const elapsed = Math.max(0, Math.floor((now.getTime() - Date.parse(usage.countedUntil)) / 1000));
    addUsageSeconds(current, elapsed);
  }
  return {
    runningSeconds: current.runningSeconds ?? 0,
    hibernatedSeconds: current.hibernatedSeconds ?? 0,
    savedSeconds: current.savedSeconds ?? 0,
  };
}

/** Several clusters' counters as of `now`, summed (a pool's). */
export function sumUsage(usages: (PowerUsage | undefined)[], now: Date): UsageTotals {
  const total: UsageTotals = { runningSeconds: 0, hibernatedSeconds: 0, savedSeconds: 0 };
  for (const usage of usages) {
    const at = usageAt(usage, now);
    total.runningSeconds += at.runningSeconds;
    total.hibernatedSeconds += at.hibernatedSeconds;
    total.savedSeconds += at.savedSeconds;
  }
  return total;
}
