import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts", "stacks/**/*.test.ts"],
    globalSetup: ["test/harness/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration tests share one hub; files run one at a time so process-heavy e2e tests do not starve each other on 2 cores.
    fileParallelism: false,
    reporters: ["default"],
  },
});
