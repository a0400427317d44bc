import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig } from "@kubernetes/client-node";
import type { ClusterClaim, ClusterDeployment } from "../api/index.js";
import { LocalControlPlane } from "../local/control-plane.js";
import { localDataFolder } from "../../stacks/index.js";
import { claimKubeconfigSecretName } from "../pools/labels.js";
import {
  clusterClaimResource,
  clusterDeploymentResource,
  clusterPoolResource,
  namespaceResource,
  secretResource,
} from "../api/resources.js";
import { getCondition, type Condition } from "../runtime/conditions.js";
import { Informer } from "../runtime/informer.js";
import { KubeClient } from "../runtime/kube-client.js";
import { configureLogging } from "../runtime/logging.js";
import type { KubeObject } from "../runtime/resource.js";
import {
  isReady,
  seconds,
  withBenchEnvironment,
  zeroDelaySimulated,
  type BenchEnvironment,
} from "./bench-environment.js";

type Scenario = "simulated" | "local" | "refill" | "all";

const NS = {
  simulated: "bench-claims-sim",
  refill: "bench-claims-refill",
  local: "bench-claims-local",
} as const;
const REFILL_POOL_SIZE = 20;
const REFILL_MAX_CONCURRENT = 10;
const LOCAL_POOL_SIZE = 2;

type SecretObject = KubeObject & { data?: Record<string, string> };

export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of ascending `sorted` samples: the smallest sample with at least p% of them at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("percentile of no samples");
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0]!,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

export function formatSummary(s: LatencySummary): string {
  const ms = (v: number) => `${Math.round(v)} ms`;
  return `p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  min ${ms(s.min)}  max ${ms(s.max)}  mean ${ms(s.mean)}  (n=${s.count})`;
}

/** The server of the kubeconfig's current context, or undefined when the text is not a usable kubeconfig. */
export function kubeconfigServer(base64: string): string | undefined {
  try {
    const kc = new KubeConfig();
    kc.loadFromString(Buffer.from(base64, "base64").toString("utf8"));
    return kc.getCurrentCluster()?.server || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Informers on the kinds the bench waits for; every event re-checks the pending waits, so a wait ends on the
 * event that satisfies it without polling. One watch per kind for the whole run.
 */
class HubWatch {
  readonly clusters: Informer<ClusterDeployment>;
  readonly claims: Informer<ClusterClaim>;
  readonly secrets: Informer<SecretObject>;
  private readonly waits = new Map<() => void, (error: Error) => void>();
  private interrupted?: Error;
  private readonly listeners = new Set<() => void>();

  constructor(kube: KubeClient) {
    this.clusters = new Informer({ client: kube, resource: clusterDeploymentResource });
    this.claims = new Informer({ client: kube, resource: clusterClaimResource });
    // Only the claims' copies, not every Secret of the hub.
    this.secrets = new Informer({
      client: kube,
      resource: secretResource,
      labelSelector: "slipway.dev/cluster-claim",
    });
  }

  async start(): Promise<void> {
    for (const informer of [this.clusters, this.claims, this.secrets] as Informer[]) {
      informer.addEventHandler({
        onAdd: () => this.changed(),
        onUpdate: () => this.changed(),
        onDelete: () => this.changed(),
      });
      informer.start();
    }
    await Promise.all(
      [this.clusters, this.claims, this.secrets].map((i) => i.waitForSync({ timeoutMs: 30_000 })),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([this.clusters, this.claims, this.secrets].map((i) => i.stop()));
  }

  /** Calls `listener` after every event (for sampling); returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with `check`'s first defined value and when (performance.now()) the event that produced it arrived. */
  until<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<{ value: T; at: number }> {
    return new Promise((resolve, reject) => {
      if (this.interrupted) return reject(this.interrupted);
      const attempt = () => {
        const value = check();
        if (value === undefined) return;
        this.waits.delete(attempt);
        clearTimeout(timer);
        resolve({ value, at: performance.now() });
      };
      const timer = setTimeout(() => {
        this.waits.delete(attempt);
        reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
      }, timeoutMs);
      this.waits.set(attempt, (error) => {
        clearTimeout(timer);
        reject(error);
      });
      attempt();
    });
  }

  /** Fails every wait, now and later (Ctrl-C: the bench stops and cleans up). */
  interrupt(error: Error): void {
    this.interrupted = error;
    for (const fail of this.waits.values()) fail(error);
    this.waits.clear();
  }

  poolClusters(namespace: string, pool: string): ClusterDeployment[] {
    return this.clusters.list({ namespace }).filter((cd) => cd.spec.clusterPoolRef?.poolName === pool);
  }

  boundCluster(namespace: string, claim: string): ClusterDeployment | undefined {
    return this.clusters
      .list({ namespace })
      .find((cd) => cd.spec.clusterPoolRef?.claimName === claim && !cd.metadata.deletionTimestamp);
  }

  /** The pool is warm: `size` unclaimed clusters, all Running and Ready, and nothing being deleted. */
  warm(namespace: string, pool: string, size: number): boolean {
    const clusters = this.poolClusters(namespace, pool);
    if (clusters.some((cd) => cd.metadata.deletionTimestamp)) return false;
    const unclaimed = clusters.filter((cd) => !cd.spec.clusterPoolRef?.claimName);
    return unclaimed.length === size && unclaimed.every((cd) => isReady(cd, "Running"));
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
    for (const attempt of [...this.waits.keys()]) attempt();
  }
}

function poolManifest(name: string, namespace: string, spec: Record<string, unknown>) {
  return { apiVersion: "slipway.dev/v1alpha1", kind: "ClusterPool", metadata: { name, namespace }, spec };
}

function claimManifest(name: string, namespace: string, pool: string) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterClaim",
    metadata: { name, namespace },
    spec: { clusterPoolName: pool },
  };
}

async function createPool(
  env: BenchEnvironment,
  watch: HubWatch,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  size: number,
): Promise<number> {
  await env.kube.create(namespaceResource, { metadata: { name: namespace } });
  const start = performance.now();
  await env.kube.create(clusterPoolResource, poolManifest(name, namespace, spec));
  const { at } = await watch.until(
    `pool ${namespace}/${name} to fill`,
    () => watch.warm(namespace, name, size) || undefined,
    900_000,
  );
  return at - start;
}

interface ClaimTiming {
  name: string;
  /** Claim created (create call issued) -> its cluster bound (CD spec.clusterPoolRef.claimName seen). */
  assigned: number;
  /** -> the kubeconfig Secret in the claim's namespace seen. */
  secret: number;
  /** -> usable: the measured latency. */
  usable: number;
  /** -> the claim's Ready condition True (after the measurement; what `slipway claim --wait` waits for). */
  claimReady: number;
}

/**
 * Creates one claim against a warm pool and times it. `usable` turns the Secret into "usable": on the simulated
 * platform a check of the cached Secret, on the local platform a request to the claimed cluster.
 */
async function timeOneClaim(
  env: BenchEnvironment,
  watch: HubWatch,
  namespace: string,
  pool: string,
  name: string,
  usable: (kubeconfig: string, cluster: ClusterDeployment) => Promise<boolean> | boolean,
): Promise<ClaimTiming> {
  let assignedAt: number | undefined;
  let secretAt: number | undefined;
  const seen = () => {
    const cluster = watch.boundCluster(namespace, name);
    if (cluster) assignedAt ??= performance.now();
    const kubeconfig = watch.secrets.get(namespace, claimKubeconfigSecretName(name))?.data?.kubeconfig;
    if (kubeconfig) secretAt ??= performance.now();
    return cluster && kubeconfig ? { cluster, kubeconfig } : undefined;
  };
  const start = performance.now();
  await env.kube.create(clusterClaimResource, claimManifest(name, namespace, pool));
  let usableAt: number;
  for (;;) {
    const { value } = await watch.until(
      `claim ${namespace}/${name} to get its kubeconfig Secret`,
      seen,
      120_000,
    );
    if (await usable(value.kubeconfig, value.cluster)) {
      usableAt = performance.now();
      break;
    }
    if (performance.now() - start > 120_000)
      throw new Error(`the kubeconfig of claim ${namespace}/${name} did not become usable within 120 s`);
    await sleep(50);
  }
  const ready = await watch.until(
    `claim ${namespace}/${name} to be Ready`,
    () =>
      getCondition(watch.claims.get(namespace, name)?.status?.conditions as Condition[] | undefined, "Ready")
        ?.status === "True" || undefined,
    120_000,
  );
  return {
    name,
    assigned: assignedAt! - start,
    secret: secretAt! - start,
    usable: usableAt - start,
    claimReady: ready.at - start,
  };
}

function printTimings(label: string, timings: ClaimTiming[]): LatencySummary {
  const usable = summarize(timings.map((t) => t.usable));
  console.log(`${label}: claim created -> kubeconfig Secret usable  ${formatSummary(usable)}`);
  console.log(
    `  breakdown (p50 / p99): cluster bound ${breakdown(timings, "assigned")}, Secret seen ${breakdown(timings, "secret")}, claim Ready condition ${breakdown(timings, "claimReady")}`,
  );
  const slowest = [...timings].sort((a, b) => b.usable - a.usable).slice(0, 3);
  console.log(
    `  slowest: ${slowest.map((t) => `${t.name} ${Math.round(t.usable)} ms (bound ${Math.round(t.assigned)})`).join(", ")}`,
  );
  return usable;
}

function breakdown(timings: ClaimTiming[], key: "assigned" | "secret" | "claimReady"): string {
  const s = summarize(timings.map((t) => t[key]));
  return `${Math.round(s.p50)} / ${Math.round(s.p99)} ms`;
}

async function benchSimulatedClaims(env: BenchEnvironment, watch: HubWatch, count: number): Promise<void> {
  const ns = NS.simulated;
  const spec = {
    size: count,
    runningCount: count,
    maxConcurrent: REFILL_MAX_CONCURRENT,
    template: { platform: zeroDelaySimulated },
  };
  console.log(
    `\nsimulated: pool of ${count} (runningCount ${count}, maxConcurrent ${REFILL_MAX_CONCURRENT}, zero-delay simulated clusters)`,
  );
  const fill = await createPool(env, watch, ns, "latency", spec, count);
  console.log(`simulated: pool filled (${count} Running and Ready) in ${seconds(fill)}`);
  const simulatedUsable = (kubeconfig: string, cluster: ClusterDeployment) => {
    const server = kubeconfigServer(kubeconfig);
    return server !== undefined && server === cluster.status?.apiURL;
  };
  const timings: ClaimTiming[] = [];
  for (let i = 0; i < count; i++) {
    // Warm before each claim: the refill of the previous claim has finished.
    await watch.until(
      `pool ${ns}/latency to refill`,
      () => watch.warm(ns, "latency", count) || undefined,
      300_000,
    );
    timings.push(
      await timeOneClaim(env, watch, ns, "latency", `claim-${String(i).padStart(3, "0")}`, simulatedUsable),
    );
  }
  console.log(
    `simulated: ${count} claims made one at a time, each against a warm pool (${count} unclaimed clusters Running and Ready, refill finished).\n` +
      "  Simulated clusters have no API server: usable = the Secret <claim>-kubeconfig exists in the claim's namespace\n" +
      "  and holds a kubeconfig that parses and whose server equals the claimed ClusterDeployment's status.apiURL.\n" +
      "  Times from before the create request to the watch event that made it true, seen by this process.",
  );
  printTimings("simulated", timings);
}

async function benchRefill(env: BenchEnvironment, watch: HubWatch, workerConcurrency: number): Promise<void> {
  const ns = NS.refill;
  const size = REFILL_POOL_SIZE;
  console.log(
    `\nrefill: pool of ${size} (runningCount ${size}, maxConcurrent ${REFILL_MAX_CONCURRENT}, zero-delay simulated clusters; worker concurrency ${workerConcurrency})`,
  );
  const spec = {
    size,
    runningCount: size,
    maxConcurrent: REFILL_MAX_CONCURRENT,
    template: { platform: zeroDelaySimulated },
  };
  const fill = await createPool(env, watch, ns, "refill", spec, size);
  console.log(
    `refill: initial fill of ${size} in ${seconds(fill)} (${((size / fill) * 60_000).toFixed(1)} clusters/min)`,
  );

  let peakInstalling = 0;
  const sample = watch.onChange(() => {
    const installing = watch
      .poolClusters(ns, "refill")
      .filter((cd) => !cd.spec.clusterPoolRef?.claimName && !isReady(cd, "Running")).length;
    peakInstalling = Math.max(peakInstalling, installing);
  });
  const start = performance.now();
  const names = Array.from({ length: size }, (_, i) => `refill-${String(i).padStart(3, "0")}`);
  await Promise.all(
    names.map((name) => env.kube.create(clusterClaimResource, claimManifest(name, ns, "refill"))),
  );
  const bound = await watch.until(
    "every refill claim to be bound",
    () => names.every((name) => watch.boundCluster(ns, name)) || undefined,
    300_000,
  );
  const full = await watch.until(
    `pool ${ns}/refill to be full again`,
    () => watch.warm(ns, "refill", size) || undefined,
    900_000,
  );
  sample();
  const total = full.at - start;
  console.log(`refill: ${size} claims created at once; all bound after ${seconds(bound.at - start)}`);
  console.log(
    `refill: pool back to ${size} unclaimed Running and Ready after ${seconds(total)}: ${((size / total) * 60_000).toFixed(1)} clusters/min`,
  );
  console.log(
    `refill: at most ${peakInstalling} pool clusters installing at once (maxConcurrent ${REFILL_MAX_CONCURRENT})`,
  );
}

async function benchLocalClaims(env: BenchEnvironment, watch: HubWatch, count: number): Promise<void> {
  const ns = NS.local;
  const size = LOCAL_POOL_SIZE;
  console.log(
    `\nlocal: pool of ${size} real control planes (runningCount ${size}, maxConcurrent ${size}); each claim is deleted after it is measured`,
  );
  const fill = await createPool(
    env,
    watch,
    ns,
    "local",
    { size, runningCount: size, maxConcurrent: size, template: { platform: { local: {} } } },
    size,
  );
  console.log(`local: pool filled (${size} Running and Ready) in ${seconds(fill)}`);
  const localUsable = async (kubeconfig: string) => {
    const kc = new KubeConfig();
    kc.loadFromString(Buffer.from(kubeconfig, "base64").toString("utf8"));
    const client = new KubeClient(kc, { requestTimeoutMs: 5_000 });
    try {
      await client.list(namespaceResource, {});
      return true;
    } catch {
      return false;
    } finally {
      client.close();
    }
  };
  const timings: ClaimTiming[] = [];
  for (let i = 0; i < count; i++) {
    await watch.until(
      `pool ${ns}/local to refill`,
      () => watch.warm(ns, "local", size) || undefined,
      600_000,
    );
    const name = `local-${i}`;
    timings.push(await timeOneClaim(env, watch, ns, "local", name, localUsable));
    await env.kube.delete(clusterClaimResource, ns, name);
  }
  console.log(
    `local: ${count} claims made one at a time, each against a warm pool (${size} unclaimed clusters Running and Ready).\n` +
      "  usable = a client built from the kubeconfig in the claim's Secret lists namespaces on the claimed cluster.",
  );
  printTimings("local", timings);
  // Claimed clusters of deleted claims go first; then deleting the pool deletes the rest.
  await watch.until(`pool ${ns}/local to settle`, () => watch.warm(ns, "local", size) || undefined, 600_000);
  await env.kube.delete(clusterPoolResource, ns, "local");
  await watch.until(
    `the local pool's clusters to be deleted`,
    () => watch.clusters.list({ namespace: ns }).length === 0 || undefined,
    300_000,
  );
}

/** Local clusters run detached: whatever is left when the bench stops (an error, Ctrl-C) is stopped here. */
async function stopLeftoverLocalClusters(env: BenchEnvironment): Promise<void> {
  const dir = localDataFolder.root(env.stateDir);
  if (!existsSync(dir)) return;
  for (const name of await readdir(dir)) {
    await new LocalControlPlane({ name, dataDir: join(dir, name), binDir: env.config.toolsBinDir }).stop();
  }
}

/** `slipway bench claims [--claims N] [--local-claims N] [--scenario simulated|local|refill|all]` */
export async function benchClaims(options: {
  claims: number;
  localClaims: number;
  scenario: Scenario;
}): Promise<number> {
  const { claims, localClaims, scenario } = options;
  const runs = (s: Scenario) => scenario === s || scenario === "all";
  configureLogging({ level: "warn" });
  let watch: HubWatch | undefined;
  const interrupt = () => watch?.interrupt(new Error("interrupted; stopping the bench environment"));
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  // Every ClusterDeployment's drift refresh is a Pulumi run; with 120 simulated clusters the default 300 s
  // would keep the worker busy with refreshes and measure them instead of claims and refills.
  const componentDefaults = { SLIPWAY_RESYNC_SECONDS: "3600" };
  console.log(
    `controller drift refresh every ${process.env.SLIPWAY_RESYNC_SECONDS || componentDefaults.SLIPWAY_RESYNC_SECONDS} s (SLIPWAY_RESYNC_SECONDS)`,
  );
  try {
    await withBenchEnvironment(
      async (env) => {
        watch = new HubWatch(env.kube);
        await watch.start();
        if (runs("simulated") && claims > 0) await benchSimulatedClaims(env, watch, claims);
        if (runs("refill")) await benchRefill(env, watch, env.config.worker.concurrency);
        if (runs("local") && localClaims > 0) await benchLocalClaims(env, watch, localClaims);
      },
      {
        componentDefaults,
        cleanup: async (env) => {
          await watch?.stop();
          await stopLeftoverLocalClusters(env);
        },
      },
    );
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
  return 0;
}
