import * as pulumi from "@pulumi/pulumi";
import type { DesiredPowerState, ObservedPowerState } from "../types.js";

/** What every cloud node pool has for sizing (the cloudPoolFields of src/api/platform-fields.ts). */
export interface SizedPool {
  replicas: number;
  autoScaling?: { min: number; max: number };
}

/** A pool's size for the cloud: its node count, the autoscaler's bounds, and whether the autoscaler runs. */
export interface PoolSize {
  desired: number;
  min: number;
  max: number;
  autoscaling: boolean;
}

/**
 * The size of a pool in a power state, for every cloud. Running: its replicas (within autoScaling's bounds when it
 * has them). Hibernating: zero nodes and no autoscaler, with the same maximum, so that hibernating changes node
 * counts only (EKS wants a maximum of at least one; the pool itself is never replaced).
 */
export function poolSize(pool: SizedPool, powerState: DesiredPowerState): PoolSize {
  const bounds = pool.autoScaling;
  const max = Math.max(1, bounds?.max ?? pool.replicas);
  if (powerState === "Hibernating") return { desired: 0, min: 0, max, autoscaling: false };
  if (!bounds) return { desired: pool.replicas, min: pool.replicas, max, autoscaling: false };
  const desired = Math.min(bounds.max, Math.max(bounds.min, pool.replicas));
  return { desired, min: bounds.min, max, autoscaling: true };
}

/** A pool as declared and as the cloud last reported it (after a refresh, what it has now). */
export interface ObservedPool {
  planned: PoolSize;
  /** Nodes the cloud reports; undefined while unknown (a preview). */
  actual: number | undefined;
}

/**
 * The power state a cloud cluster reports, from its pools' node counts, so that a refresh notices what changed
 * outside Slipway: nodes running in a hibernating cluster read as Running, every pool emptied in a running one as
 * Stopped, and the controller's next `up` repairs either (DriftDetected). A pool resized within its bounds, or
 * merely resized while others run, is reported as the spec's state: that drift is left to the next `up`.
 */
export function observedPowerState(
  desired: DesiredPowerState,
  pools: readonly ObservedPool[],
): ObservedPowerState {
  const known = pools.filter((p) => p.actual !== undefined);
  if (known.length === 0) return desired;
  const running = known.some((p) => p.actual! > 0);
  if (desired === "Hibernating")
    return running && known.some((p) => p.actual! > p.planned.desired) ? "Running" : desired;
  return known.every((p) => p.actual === 0) && known.some((p) => p.planned.desired > 0) ? "Stopped" : desired;
}

/** A pool by name, as declared and as the cloud last reported it. */
export interface NamedObservedPool extends ObservedPool {
  name: string;
}

/**
 * What a refresh found resized outside Slipway, in words ("node pool batch has 1 node, the spec asks for 3"), or
 * "" when every pool with a known count has what the spec gives it: its count, or a count within its autoscaler's
 * bounds. A pool emptied in a running cluster, or nodes in a hibernating one, is powerState's to report.
 */
export function poolDrift(desired: DesiredPowerState, pools: readonly NamedObservedPool[]): string {
  if (observedPowerState(desired, pools) !== desired) return "";
  const nodes = (n: number) => `${n} node${n === 1 ? "" : "s"}`;
  return pools
    .flatMap(({ name, planned, actual }) => {
      if (actual === undefined) return [];
      if (planned.autoscaling)
        return actual < planned.min || actual > planned.max
          ? [`node pool ${name} has ${nodes(actual)}, the spec allows ${planned.min} to ${planned.max}`]
          : [];
      return actual !== planned.desired
        ? [`node pool ${name} has ${nodes(actual)}, the spec asks for ${planned.desired}`]
        : [];
    })
    .join("; ");
}

/**
 * The power state and the drift a cloud cluster reports, over Pulumi outputs: each pool's planned size and the
 * node count its resource reports (after a refresh, what it has now).
 */
export function observedPoolsOutputs(
  desired: DesiredPowerState,
  pools: { name: string; planned: PoolSize; actual: pulumi.Output<number | undefined> }[],
): { powerState: pulumi.Output<ObservedPowerState>; drift: pulumi.Output<string> } {
  const observed = pulumi
    .all(pools.map((p) => p.actual))
    .apply((actuals) => pools.map((p, i) => ({ name: p.name, planned: p.planned, actual: actuals[i] })));
  return {
    powerState: observed.apply((list) => observedPowerState(desired, list)),
    drift: observed.apply((list) => poolDrift(desired, list)),
  };
}
