import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { DevEnvironment, privateEnvironmentConfig } from "../../src/dev/environment.js";

declare module "vitest" {
  export interface ProvidedContext {
    hubKubeconfig: string;
    redisUrl: string;
    stateDir: string;
  }
}

interface SharedHub {
  kubeconfig: string;
  redisUrl: string;
  stateDir: string;
  stop(): Promise<void>;
}

/**
 * The integration and e2e projects both use the hub, and vitest loads each project's global setup in a module
 * graph of its own; so the one hub of a run is kept on globalThis (one vitest process) and counted by users.
 */
const shared = globalThis as typeof globalThis & {
  slipwayTestHub?: { hub: Promise<SharedHub>; users: number };
};

async function startHub(): Promise<SharedHub> {
  const stateDir = await mkdtemp(join(tmpdir(), "slipway-test-"));
  const config = privateEnvironmentConfig(stateDir, process.env);
  const env = new DevEnvironment(config);
  const started = Date.now();
  const up = await env.up({ detached: false, log: () => undefined, components: false });
  console.log(
    `test hub ready in ${((Date.now() - started) / 1000).toFixed(1)}s at ${up.apiURL} (state ${stateDir})`,
  );
  return {
    kubeconfig: up.kubeconfig,
    redisUrl: up.redisUrl,
    stateDir,
    stop: async () => {
      await env.down();
      if (!process.env.SLIPWAY_KEEP_TEST_STATE) await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the real etcd + kube-apiserver + kube-controller-manager and Redis once per test run (the same code
 * as `slipway dev up`), with Slipway's and OCM's CRDs installed, for every project that uses it; every test
 * file gets its own namespaces, queue prefix and state folder.
 */
export default async function setup(project: TestProject) {
  shared.slipwayTestHub ??= { hub: startHub(), users: 0 };
  const entry = shared.slipwayTestHub;
  entry.users += 1;
  const hub = await entry.hub;
  project.provide("hubKubeconfig", hub.kubeconfig);
  project.provide("redisUrl", hub.redisUrl);
  project.provide("stateDir", hub.stateDir);
  return async () => {
    entry.users -= 1;
    if (entry.users > 0) return;
    shared.slipwayTestHub = undefined;
    await hub.stop();
  };
}
