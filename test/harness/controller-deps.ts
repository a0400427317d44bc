import { controllerDependencies, type ControllerDependencies } from "../../src/queue/controller-jobs.js";
import { loadConfig } from "../../src/runtime/config.js";
import type { KubeClient } from "../../src/runtime/kube-client.js";
import { testRedisUrl, testStateDir } from "./hub.js";

/**
 * What `register(manager, deps)` of a controller folder gets in an in-process test: the shared hub and Redis,
 * the test's own queue prefix, one job retry with a short backoff. `env` adds settings as the controller reads them.
 */
export function testControllerDependencies(
  client: KubeClient,
  prefix: string,
  env: Record<string, string> = {},
): ControllerDependencies {
  const config = loadConfig({
    SLIPWAY_STATE_DIR: testStateDir(),
    REDIS_URL: testRedisUrl(),
    SLIPWAY_QUEUE_PREFIX: prefix,
    ...env,
  });
  return controllerDependencies(client, {
    ...config,
    redisUrl: testRedisUrl(),
    worker: { ...config.worker, attempts: 1, backoffMs: 200 },
  });
}
