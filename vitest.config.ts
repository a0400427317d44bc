import { configDefaults, defineConfig } from "vitest/config";
import { LongestFirstSequencer } from "./test/harness/longest-first-sequencer.js";

/**
 * Three tiers, chosen by folder (docs/contributing.md): where a test file sits is its tier. The tiers run one
 * after the other (sequence.groupOrder), fastest first, and the run ends with the per-file duration table.
 *
 * - unit: pure, parallel, no processes and no hub.
 * - integration: the shared hub (etcd, kube-apiserver, kube-controller-manager, OCM's registration controller)
 *   and Redis, with controllers in-process.
 * - e2e: Slipway's own processes, the Pulumi CLI, local clusters, agents.
 */
export const hub = {
  // Files start dist/ processes, which build-dist.ts compiles first when stale; the hub is started once per run.
  globalSetup: ["test/harness/build-dist.ts", "test/harness/global-setup.ts"],
  hookTimeout: 180_000,
};

export default defineConfig({
  test: {
    reporters: ["default", "./test/harness/duration-reporter.ts"],
    // Longest files first in each tier, also in a clean clone without vitest's cache.
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // Rendering docs/api.md through Prettier or starting ESLint takes seconds on a busy 2-core machine.
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          ...hub,
          testTimeout: 60_000,
          sequence: { groupOrder: 1 },
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          // Management mode with the real Kubernetes provider runs on its own (vitest.management.config.ts).
          exclude: [...configDefaults.exclude, "test/e2e/management/**"],
          ...hub,
          testTimeout: 120_000,
          sequence: { groupOrder: 2 },
          maxWorkers: 2,
        },
      },
    ],
  },
});
