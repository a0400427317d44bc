import type { ClaimView, ClusterView, PoolView } from "../../../../src/pools/algorithm/index.js";

const epoch = Date.parse("2026-01-01T00:00:00Z");

/** A point in time, `minute` minutes after the tests' epoch. */
export function at(minute: number): Date {
  return new Date(epoch + minute * 60_000);
}

export const now = at(1_000);
export const currentHash = "current";

export function pool(overrides: Partial<PoolView> = {}): PoolView {
  return { size: 0, runningCount: 0, templateHash: currentHash, now, ...overrides };
}

export type ClusterState =
  "ready" | "bootstrapping" | "starting" | "hibernating" | "stopping" | "installing" | "stalled" | "deleting";

const states: Record<ClusterState, Partial<ClusterView>> = {
  ready: {},
  bootstrapping: { bootstrapRequired: true, bootstrapped: false },
  starting: { powerState: "Starting" },
  hibernating: { powerState: "Hibernating", desiredPowerState: "Hibernating" },
  stopping: { powerState: "Stopping", desiredPowerState: "Hibernating" },
  installing: { provisioned: false, powerState: "Provisioning", desiredPowerState: "Hibernating" },
  stalled: { stalled: true },
  deleting: { deleting: true },
};

/** A pool cluster in a named state, created at minute `age` (smaller is older), on the current template. */
export function cluster(
  name: string,
  state: ClusterState = "ready",
  overrides: Partial<ClusterView> = {},
): ClusterView {
  return {
    name,
    createdAt: at(0),
    templateHash: currentHash,
    provisioned: true,
    powerState: "Running",
    desiredPowerState: "Running",
    stalled: false,
    deleting: false,
    bootstrapRequired: true,
    bootstrapped: true,
    ...states[state],
    ...overrides,
  };
}

export function claim(name: string, overrides: Partial<ClaimView> = {}): ClaimView {
  return { name, namespace: "team-a", createdAt: at(0), deleting: false, ...overrides };
}

/** A cluster bound to claim `claimName`, as the pool leaves it after assignment. */
export function claimedCluster(
  name: string,
  claimName: string,
  overrides: Partial<ClusterView> = {},
): ClusterView {
  return cluster(name, "ready", { claimName, ...overrides });
}
