import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { entryLabeler, type ClusterFailover, type ClusterFailoverSpecInput } from "../api/index.js";
import { clusterFailoverResource } from "../api/resources.js";
import { loadConfig } from "../runtime/config.js";
import { getCondition, type Condition } from "../runtime/conditions.js";
import { selectorRequirements } from "../runtime/label-selector.js";
import { hubClient, progressBar } from "./hub-client.js";

export interface FailoverOptions {
  namespace: string;
  selector?: string;
  maxConcurrent?: number;
  primaryPool?: string;
  name?: string;
  wait?: boolean;
  timeout: number;
}

const ENDED = ["Succeeded", "PartiallyFailed", "Failed", "Cancelled"];

/** The spec `slipway failover` creates: a pool, or a label selector, as the standby set. */
export function failoverSpec(pool: string | undefined, options: FailoverOptions): ClusterFailoverSpecInput {
  if ((pool === undefined) === (options.selector === undefined))
    throw new Error("name the standby clusters with exactly one of a pool or -l <selector>");
  const standby =
    pool !== undefined
      ? { poolName: pool }
      : {
          selector: {
            matchExpressions: selectorRequirements(options.selector!).map((r) => ({
              key: r.key,
              operator: r.operator,
              ...(r.values.length ? { values: r.values } : {}),
            })),
          },
        };
  return {
    standby,
    ...(options.primaryPool ? { primary: { poolName: options.primaryPool } } : {}),
    ...(options.maxConcurrent !== undefined ? { maxConcurrent: options.maxConcurrent } : {}),
  } as ClusterFailoverSpecInput;
}

/** Seconds since the failover started, or its achieved RTO once every cluster is Ready. */
export function runningRto(failover: ClusterFailover, now: Date): number | undefined {
  const status = failover.status;
  if (status?.rtoSeconds !== undefined) return status.rtoSeconds;
  if (!status?.startedAt) return undefined;
  const end = status.completedAt ? new Date(status.completedAt) : now;
  return Math.max(0, (end.getTime() - new Date(status.startedAt).getTime()) / 1000);
}

/** One line of progress: bar, counts and the RTO so far. */
export function progressLine(failover: ClusterFailover, now: Date): string {
  const s = failover.status ?? {};
  const total = s.total ?? 0;
  const done = (s.ready ?? 0) + (s.failed ?? 0) + (s.cancelled ?? 0);
  const rto = runningRto(failover, now);
  const stalled = getCondition(s.conditions as Condition[] | undefined, "Stalled");
  const why =
    stalled?.status === "True" && !ENDED.includes(s.phase ?? "")
      ? `  ${stalled.reason}: ${stalled.message}`
      : "";
  return (
    `${progressBar(total ? (100 * done) / total : 0)} ${s.phase ?? "Pending"}  ` +
    `${s.ready ?? 0}/${total} Ready  ${s.resuming ?? 0} resuming  ${s.pending ?? 0} pending  ${s.failed ?? 0} failed` +
    `${rto !== undefined ? `  RTO ${rto.toFixed(1)} s` : ""}${why}`
  );
}

/**
 * `slipway failover <pool> | -l <selector>`: creates a ClusterFailover; with --wait shows a progress bar and the
 * running RTO until it ends. On a terminal the line is redrawn in place; otherwise a line is printed when it
 * changes (at most every 5 s while only the RTO moves), so logs stay readable.
 */
export async function failoverCommand(pool: string | undefined, options: FailoverOptions): Promise<number> {
  const kube = hubClient(loadConfig());
  const { namespace } = options;
  const name = options.name ?? `${pool ?? "failover"}-${randomBytes(3).toString("hex")}`.slice(0, 253);
  await kube.create(clusterFailoverResource, {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterFailover",
    metadata: { name, namespace },
    spec: failoverSpec(pool, options),
  });
  console.log(`clusterfailover ${namespace}/${name} created`);
  if (!options.wait) return 0;

  const tty = process.stdout.isTTY === true;
  const deadline = Date.now() + options.timeout;
  let lastCounts = "";
  let lastPrinted = 0;
  for (;;) {
    const failover = await kube.get<ClusterFailover>(clusterFailoverResource, namespace, name);
    const line = progressLine(failover, new Date());
    const counts = line.replace(/ {2}RTO .*$/, "");
    const ended = ENDED.includes(failover.status?.phase ?? "");
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else if (counts !== lastCounts || Date.now() - lastPrinted >= 5_000 || ended) {
      console.log(line);
      lastPrinted = Date.now();
    }
    lastCounts = counts;
    if (ended) {
      if (tty) process.stdout.write("\n");
      const entries = failover.status?.clusters ?? [];
      const label = entryLabeler(entries);
      for (const c of entries.filter((e) => e.state === "Failed"))
        console.log(`  ${label(c)}: ${c.reason}: ${c.message ?? ""}`);
      return failover.status?.phase === "Succeeded" || failover.status?.phase === "Cancelled" ? 0 : 1;
    }
    if (Date.now() > deadline) {
      if (tty) process.stdout.write("\n");
      console.error(`clusterfailover ${namespace}/${name} did not end within the timeout; it keeps running`);
      return 1;
    }
    await sleep(500);
  }
}
