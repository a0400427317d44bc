import { addUsageSeconds, type ClusterObject, type PowerUsage } from "../api/index.js";
import { apiTime } from "../api/duration.js";
type Source = NonNullable<PowerUsage["countedSource"]>;

/** The counters are brought up to date at least this often, so `kubectl get -o yaml` is never far behind. */
export const USAGE_REFRESH_MS = 3_600_000;

/** Hibernating counts as hibernated; every other state (provisioning, running, starting, stopping) is billed. */
export function countedState(cd: ClusterObject): "Running" | "Hibernating" {
  return cd.status?.powerState === "Hibernating" ? "Hibernating" : "Running";
}

/**
 * Moves the counters up to `now`: the time since countedUntil goes to the state counted until now, and from now
 * the cluster's current state (and what decided it) is counted. Only when the state or its source changed, or
 * the counters are USAGE_REFRESH_MS old, so a pass that changes nothing writes nothing. Counting starts at the
 * resource's creation, as running (an installing cluster is billed).
 */
export function accountUsage(
  cd: ClusterObject,
  source: Source,
  now: Date,
  previous: PowerUsage | undefined = cd.status?.power?.usage,
): PowerUsage {
  const state = countedState(cd);
  const start = previous?.countedUntil ?? cd.metadata.creationTimestamp ?? apiTime(now);
  const usage: PowerUsage = {
    runningSeconds: previous?.runningSeconds ?? 0,
    hibernatedSeconds: previous?.hibernatedSeconds ?? 0,
    savedSeconds: previous?.savedSeconds ?? 0,
    countedUntil: start,
    countedState: previous?.countedState ?? "Running",
    countedSource: previous?.countedSource ?? source,
  };
  const elapsedMs = now.getTime() - Date.parse(start);
  const changed = !previous || usage.countedState !== state || usage.countedSource !== source;
  if (!changed && elapsedMs < USAGE_REFRESH_MS) return usage;
  const seconds = Math.max(0, Math.floor(elapsedMs / 1000));
  addUsageSeconds(usage, seconds);
  // Whole seconds were added: countedUntil moves by exactly as much, so no fraction is ever lost.
  usage.countedUntil = apiTime(new Date(Date.parse(start) + seconds * 1000));
  usage.countedState = state;
  usage.countedSource = source;
  return usage;
}
