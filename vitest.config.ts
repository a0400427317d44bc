import { configDefaults, defineConfig } from "vitest/config";

/**
 * Pure tests: no hub, no Redis, no processes. They run in parallel and need no global setup, so
 * `npx vitest run --project unit` answers in seconds. Every other test file belongs to the hub project.
 */
const unitTests = [
  "test/api/drift.test.ts",
  "test/api/reasons.test.ts",
  "test/api/schema.test.ts",
  "test/api/validate.test.ts",
  "test/bootstrap/evaluate.test.ts",
  "test/bootstrap/policy-decisions.test.ts",
  "test/bootstrap/local-agents.test.ts",
  "test/bootstrap/registration-decisions.test.ts",
  "test/failover/plan.test.ts",
  "test/cli/*.test.ts",
  "test/harness/*.test.ts",
  "test/lint/*.test.ts",
  "test/pools/algorithm/*.test.ts",
  "test/power/decide.test.ts",
  "test/power/schedule.test.ts",
  "test/pools/views.test.ts",
  "test/queue/retry-schedule.test.ts",
  "test/provisioners/foreign-conditions.test.ts",
  "test/provisioners/platform.test.ts",
  "test/provisioners/resync.test.ts",
  "test/provisioners/retry-cause.test.ts",
  "test/queue/process-tree.test.ts",
  "test/queue/pulumi-backend.test.ts",
  "test/queue/pulumi-errors.test.ts",
  "test/queue/stack-name.test.ts",
  "test/runtime/conditions.test.ts",
  "test/runtime/health-server.test.ts",
  "test/runtime/label-selector.test.ts",
  "test/runtime/logging.test.ts",
  "test/runtime/redaction.test.ts",
  "test/runtime/status-patch.test.ts",
  "test/runtime/work-queue.test.ts",
  "test/stacks/aws.test.ts",
  "test/stacks/local-inputs.test.ts",
];

const allTests = ["test/**/*.test.ts", "src/**/*.test.ts", "stacks/**/*.test.ts"];

export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        test: {
          name: "unit",
          include: unitTests,
          // Rendering docs/api.md through Prettier or starting ESLint takes seconds on a busy 2-core machine.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "hub",
          include: allTests,
          exclude: [...configDefaults.exclude, ...unitTests],
          // Tests against real components: the shared hub (etcd, kube-apiserver, kube-controller-manager, Redis)
          // and the Pulumi CLI; several start dist/ processes, which build-dist.ts compiles first when stale.
          globalSetup: ["test/harness/build-dist.ts", "test/harness/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Files share one hub and run one at a time, so process-heavy e2e tests do not starve each other on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
