import type { DesiredPowerState } from "../types.js";

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
