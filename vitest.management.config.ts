import { defineConfig } from "vitest/config";
import { hub } from "./vitest.config.js";

/**
 * Management mode (HostedCluster platform `kubernetes`) with the real Pulumi Kubernetes provider plugin, on the
 * shared test hub: `npm run test:management`, which first builds the plugin (`bash tools/build.sh management`).
 * Kept out of `npm test` because that build takes about 100 minutes the first time on a 2-core machine.
 */
export default defineConfig({
  test: {
    reporters: ["default", "./test/harness/duration-reporter.ts"],
    projects: [
      {
        test: {
          name: "management",
          include: ["test/e2e/management/**/*.test.ts"],
          ...hub,
          testTimeout: 180_000,
        },
      },
    ],
  },
});
