import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { loadConfig } from "../../src/runtime/config.js";
import { DevEnvironment } from "../../src/dev/environment.js";

declare module "vitest" {
  export interface ProvidedContext {
    hubKubeconfig: string;
    redisUrl: string;
    stateDir: string;
  }
}

/**
 * Starts the real etcd + kube-apiserver + kube-controller-manager and Redis once per test run (the same code
 * as `slipway dev up`), with Slipway's and OCM's CRDs installed; every test file gets its own namespaces.
 */
export default async function setup(project: TestProject) {
  const stateDir = await mkdtemp(join(tmpdir(), "slipway-test-"));
  const config = loadConfig({
    ...process.env,
    SLIPWAY_STATE_DIR: stateDir,
    REDIS_URL: "",
    KUBECONFIG: "",
    SLIPWAY_KUBECONFIG: "",
  });
  const env = new DevEnvironment(config);
  const started = Date.now();
  const up = await env.up({ detached: false, log: () => undefined, components: false });
  console.log(
    `test hub ready in ${((Date.now() - started) / 1000).toFixed(1)}s at ${up.apiURL} (state ${stateDir})`,
  );
  project.provide("hubKubeconfig", up.kubeconfig);
  project.provide("redisUrl", up.redisUrl);
  project.provide("stateDir", stateDir);
  return async () => {
    await env.down();
    if (!process.env.SLIPWAY_KEEP_TEST_STATE) await rm(stateDir, { recursive: true, force: true });
  };
}
