/**
 * Instance types of the nodes a `local` or `simulated` NodePool registers (no machine behind them: the Node's
 * capacity and allocatable come from this table, and the autoscaler packs pods against it). Named like a cloud's
 * sizes so a pool reads the same on every platform; the clouds' pools name their provider's types instead.
 */
export interface NodeInstanceType {
  cpu: number;
  memoryGiB: number;
  pods: number;
}

export const SIMULATED_INSTANCE_TYPES = {
  "sim.small": { cpu: 2, memoryGiB: 8, pods: 110 },
  "sim.medium": { cpu: 4, memoryGiB: 16, pods: 110 },
  "sim.large": { cpu: 8, memoryGiB: 32, pods: 110 },
  "sim.xlarge": { cpu: 16, memoryGiB: 64, pods: 250 },
} as const satisfies Record<string, NodeInstanceType>;

export type SimulatedInstanceTypeName = keyof typeof SIMULATED_INSTANCE_TYPES;
export const SIMULATED_INSTANCE_TYPE_NAMES = Object.keys(
  SIMULATED_INSTANCE_TYPES,
) as SimulatedInstanceTypeName[];
export const DEFAULT_SIMULATED_INSTANCE_TYPE: SimulatedInstanceTypeName = "sim.medium";

const table = Object.entries(SIMULATED_INSTANCE_TYPES)
  .map(([name, t]) => `${name} (${String(t.cpu)} cpu, ${String(t.memoryGiB)} GiB, ${String(t.pods)} pods)`)
  .join(", ");

/** The description both platforms' instanceType field carries. */
export const simulatedInstanceTypeDescription = `Size of each node: ${table}. The node's capacity and allocatable.`;
