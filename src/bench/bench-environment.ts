import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterDeployment } from "../api/index.js";
import { clusterDeploymentResource } from "../api/resources.js";
import { DevEnvironment, privateEnvironmentConfig } from "../dev/environment.js";
import { getCondition, type Condition } from "../runtime/conditions.js";
import type { SlipwayConfig } from "../runtime/config.js";
import type { KubeClient } from "../runtime/kube-client.js";
import { hubClient } from "../cli/hub-client.js";
import { PULUMI_QUEUE } from "../queue/job.js";
import { JobQueue } from "../queue/job-queue.js";
import type { StackJobData, StackJobProgress, StackJobResult } from "../queue/stack-job.js";
import { ZERO_DELAY_SIMULATED } from "./pulumi-bench.js";

/** Shared by the `slipway bench` commands: a private dev environment and how figures are printed. */

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The ClusterDeployment reports `powerState` and its Ready condition is True. */
export function isReady(cd: ClusterDeployment | undefined, powerState: string): boolean {
  return (
    cd?.status?.powerState === powerState &&
    getCondition(cd.status?.conditions as Condition[] | undefined, "Ready")?.status === "True"
  );
}

/** Polls the ClusterDeployment until it is Ready in `powerState` (isReady); throws after `timeoutMs`. */
export async function waitForReady(
  kube: KubeClient,
  ns: string,
  name: string,
  powerState: string,
  timeoutMs = 300_000,
): Promise<ClusterDeployment> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const cd = await kube.getIfExists<ClusterDeployment>(clusterDeploymentResource, ns, name);
    if (cd && isReady(cd, powerState)) return cd;
    await sleep(50);
  }
  throw new Error(`${ns}/${name} did not reach ${powerState} within ${timeoutMs / 1000}s`);
}

export type StackQueue = JobQueue<StackJobData, StackJobResult, StackJobProgress>;

/** The bench environment's "pulumi" queue, where a bench looks up the stack jobs it timed (their phases). */
export function benchStackQueue(env: Pick<BenchEnvironment, "config" | "redisUrl">): StackQueue {
  return new JobQueue({
    name: PULUMI_QUEUE,
    redisUrl: env.redisUrl,
    prefix: env.config.queuePrefix,
    attempts: 1,
    backoffMs: 1000,
  });
}

/** A simulated platform block whose every phase takes no time: what is left is Slipway's and Pulumi's own cost. */
export const zeroDelaySimulated = { simulated: ZERO_DELAY_SIMULATED };

export interface BenchEnvironment {
  config: SlipwayConfig;
  kube: KubeClient;
  redisUrl: string;
  stateDir: string;
}

export interface BenchEnvironmentOptions {
  /** Runs before the environment stops, also after a failure (e.g. stopping detached local clusters). */
  cleanup?: (env: BenchEnvironment) => Promise<void>;
  /** Settings for the controller and worker, applied unless the caller's environment sets them. */
  componentDefaults?: Record<string, string>;
  /** false: only the hub and Redis, no controller or worker processes (the bench runs what it measures). */
  components?: boolean;
}

/**
 * Starts a private dev environment (hub, Redis, controller, worker) in a temporary state folder, runs `body`
 * against it, then stops everything and removes the folder, whatever `body` did.
 */
export async function withBenchEnvironment(
  body: (env: BenchEnvironment) => Promise<void>,
  options: BenchEnvironmentOptions = {},
): Promise<void> {
  // DevEnvironment starts the controller and worker with this process's environment.
  for (const [key, value] of Object.entries(options.componentDefaults ?? {})) process.env[key] ||= value;
  const stateDir = await mkdtemp(join(tmpdir(), "slipway-bench-"));
  const config = privateEnvironmentConfig(stateDir, { ...process.env, SLIPWAY_LEADER_ELECTION: "false" });
  const dev = new DevEnvironment(config);
  let env: BenchEnvironment | undefined;
  let cleaned: Promise<void> | undefined;
  // Once, whichever comes first: the body's end or an interrupt.
  const cleanUp = () =>
    (cleaned ??= (async () => {
      if (env)
        await options
          .cleanup?.(env)
          .catch((error: unknown) =>
            console.error(`bench cleanup: ${error instanceof Error ? error.message : String(error)}`),
          );
      env?.kube.close();
      await dev.down();
      await rm(stateDir, { recursive: true, force: true });
    })());
  // Ctrl-C (or a SIGTERM) mid-benchmark still deletes its clusters and stops the hub; a second one exits at once.
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(
      `bench: ${signal}: deleting the benchmark's clusters and stopping its hub (again to exit now)`,
    );
    process.once(signal, () => process.exit(130));
    void cleanUp().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  const t = Date.now();
  try {
    const components = options.components !== false;
    const up = await dev.up({ detached: false, log: () => undefined, components });
    console.log(
      `dev hub + Redis${components ? " + controller + worker" : ""} up in ${seconds(Date.now() - t)} (state in ${stateDir})`,
    );
    env = { config, kube: hubClient(config), redisUrl: up.redisUrl, stateDir };
    await body(env);
  } finally {
    await cleanUp();
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
  }
}
