import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/*
 * Files run two at a time in the integration and e2e tiers, so a tier ends when its last long file does: if a
 * 180 s file starts last, it runs alone for minutes while the other worker idles. Vitest's own order puts the
 * longest files first only once its cache holds their durations; a clean clone (CI) has no cache and falls back to
 * file size, which put chaos.test.ts (180 s, a mid-sized file) behind many shorter ones. This sequencer orders
 * each tier by the duration the cache knows, else by the seconds below (the last full run's table, longest
 * files only), else by file size, longest first.
 */
const EXPECTED_SECONDS: Record<string, number> = {
  "test/e2e/chaos.test.ts": 185,
  "test/e2e/faults.test.ts": 170,
  "test/e2e/rolling-update.test.ts": 121,
  "test/e2e/vsphere.test.ts": 120,
  "test/e2e/registration-local.test.ts": 105,
  "test/e2e/bootstrap-policy.test.ts": 97,
  "test/e2e/cluster-deployment-local.test.ts": 89,
  "test/e2e/queue/state-backends.test.ts": 89,
  "test/e2e/power-schedule-local.test.ts": 85,
  "test/e2e/failover.test.ts": 84,
  "test/e2e/transient-retry.test.ts": 83,
  "test/integration/power/power-controller.test.ts": 76,
  "test/e2e/cluster-pool-local.test.ts": 76,
  "test/e2e/queue/pulumi-stale-lock.test.ts": 66,
  "test/e2e/dev/dev-lifecycle.test.ts": 61,
  "test/e2e/queue/sentinel-failover.test.ts": 57,
  "test/e2e/dev/disk-full.test.ts": 54,
  "test/e2e/drift-local.test.ts": 48,
  "test/e2e/stacks/simulated.test.ts": 46,
  "test/e2e/registration-simulated.test.ts": 45,
  "test/e2e/stacks/local.test.ts": 44,
  "test/e2e/queue/multi-worker.test.ts": 44,
  "test/e2e/queue/redis-flush.test.ts": 43,
  "test/e2e/hosted-cluster-local.test.ts": 41,
  "test/e2e/rbac.test.ts": 37,
  "test/e2e/pool-churn.test.ts": 36,
  "test/integration/failover/cluster-failover.test.ts": 30,
};

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // The base order keeps the tiers (sequence.groupOrder) apart; within a tier, longest first.
    const base = await super.sort(files);
    const root = this.ctx.config.root;
    const weight = (spec: TestSpecification): number => {
      const file = relative(root, spec.moduleId);
      const key = `${spec.project.name}:${file}`;
      const cached = this.ctx.cache.getFileTestResults(key)?.duration;
      if (cached !== undefined) return cached;
      const expected = EXPECTED_SECONDS[file];
      if (expected !== undefined) return expected * 1000;
      // Unknown and short: by size, below every file with a known duration.
      return (this.ctx.cache.getFileStats(key)?.size ?? 0) / 1e6;
    };
    // Tiers in the base order, each one's files longest first.
    const tiers = new Map<string, TestSpecification[]>();
    for (const spec of base) {
      const tier = tiers.get(spec.project.name) ?? [];
      tier.push(spec);
      tiers.set(spec.project.name, tier);
    }
    return [...tiers.values()].flatMap((tier) => tier.sort((a, b) => weight(b) - weight(a)));
  }
}
