import { ConfigError } from "../errors/index.js";
import {
  parseProtectedObjects,
  PROTECTED_OBJECTS_ENV,
  type ProtectedObjectClass,
} from "../api/protected-objects.js";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { hostname } from "node:os";
import { defaultStateDir, toolsBinDir } from "./paths.js";
import { redisAddressFromSettings } from "./redis-address.js";

/**
 * Everything Slipway's processes can be told, parsed once from the environment (and flags, which the CLI
 * folds into the same record) and then passed in. No module reads process.env on its own.
 */
export interface SlipwayConfig {
  /** Dev hub data, local clusters, Pulumi file backend and workspaces. */
  stateDir: string;
  toolsBinDir: string;
  /** The hub's kubeconfig. */
  kubeconfig: string;
  /**
   * Set when an existing Redis is named (REDIS_URL, SLIPWAY_REDIS_SENTINELS or SLIPWAY_REDIS_CLUSTER_NODES, see
   * src/runtime/redis-address.ts); otherwise `dev up` starts one and writes its URL to state. It may hold a
   * password: log it only through describeRedisAddress.
   */
  redisUrl?: string;
  logLevel: string;
  queuePrefix: string;
  controller: {
    /**
     * Reconcile Slipway's resources in these namespaces only (all namespaces when unset), as Cluster API's
     * `--namespace` and the Operator SDK's WATCH_NAMESPACE: several Slipways, one per team or per test, share a
     * hub without touching each other's clusters. Cluster-scoped objects (ManagedClusters, certificate
     * requests) are still seen hub-wide.
     */
    watchNamespaces?: string[];
    identity: string;
    leaderElection: boolean;
    leaseNamespace: string;
    leaseName: string;
    leaseDurationSeconds: number;
    metricsHost: string;
    metricsPort: number;
    /** How often every resource is reconciled again even without events (drift detection). */
    resyncSeconds: number;
    concurrency: number;
    /** BootstrapPolicy evaluations queued per policy per second at most (a change on many clusters is spread). */
    policyEvaluationsPerSecond: number;
    /** A pool cluster asked to run and not back (Ready, registered, bootstrapped) this long after is replaced. 0: never. */
    resumeTimeoutSeconds: number;
  };
  worker: {
    /** Pulumi runs at once per worker process (the "pulumi" queue). */
    concurrency: number;
    /** Spoke jobs (registration, bootstrap evaluation) at once per worker process, apart from Pulumi's slots. */
    spokeConcurrency: number;
    /** BullMQ lock: renewed every lockDuration/2 while a Pulumi run goes on. */
    lockDurationMs: number;
    stalledIntervalMs: number;
    /** Deaths of its worker a job survives before BullMQ fails it; the controller then queues it again after a backoff. */
    maxStalledCount: number;
    /** Attempts of a job before it fails; 0 (the default) retries transient failures without limit. */
    attempts: number;
    /** The first retry's wait; each next one doubles, up to backoffCapMs. */
    backoffMs: number;
    backoffCapMs: number;
    /**
     * A worker's lease on a stack expires this long after its last renewal (every third of it). As long as the
     * job lock by default: a dead worker's job comes back no sooner anyway, and a busy event loop (Pulumi inline
     * programs run in the worker) must never miss a renewal for this long.
     */
    stackLeaseMs: number;
  };
  policies: {
    /**
     * Objects BootstrapPolicies may not delete or rewrite on clusters, besides the built-in set
     * (src/api/protected-objects.ts), from SLIPWAY_PROTECTED_OBJECTS. The controller and the worker both read it:
     * set it alike for both.
     */
    protectedObjects: ProtectedObjectClass[];
  };
  registration: {
    /** spec.leaseDurationSeconds of ManagedClusters with a real agent (see src/bootstrap/registration). */
    leaseDurationSeconds: number;
    /** The hub URL agents use; the hub kubeconfig's server when unset. */
    hubURL?: string;
    /** How often the agent's material is applied again on a running cluster with a real agent. */
    resyncSeconds: number;
    /** OCM reporting a running cluster unavailable this long gets its agent restarted and material re-applied. */
    repairAfterSeconds: number;
  };
  power: {
    /**
     * TEST AND DEMO ONLY: schedule time runs this many times faster than real time (src/power/clock.ts), so a
     * schedule's minutes pass in seconds. 1, the default, is the system clock.
     */
    clockScale: number;
    /** Where scaled schedule time starts, in epoch milliseconds; the process's start when unset. */
    clockOrigin?: number;
  };
  pulumi: {
    /**
     * Where stacks' state lives: file:// (the dev hub's default, under the state folder), s3://, gs:// or
     * azblob://. The backend's credentials come from the process's environment (docs/operations.md).
     */
    backendUrl: string;
    /** "passphrase" (the default) or a KMS key URL (awskms://, azurekeyvault://, gcpkms://, hashivault://). */
    secretsProvider: string;
    /** The passphrase secrets provider's passphrase. Never logged. */
    passphrase?: string;
  };
}

type Env = Record<string, string | undefined>;

export function loadConfig(
  env: Env = process.env,
  overrides: Partial<Record<string, string>> = {},
): SlipwayConfig {
  // An empty variable counts as unset, as shells and CI templates often leave them.
  const get = (key: string) => (overrides[key] ?? env[key]) || undefined;
  const int = (key: string, fallback: number) => {
    const raw = get(key);
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new ConfigError(`${key} must be a non-negative integer, got "${raw}"`);
    return n;
  };
  const bool = (key: string, fallback: boolean) => {
    const raw = get(key);
    if (raw === undefined || raw === "") return fallback;
    if (!["true", "false", "1", "0"].includes(raw))
      throw new ConfigError(`${key} must be true or false, got "${raw}"`);
    return raw === "true" || raw === "1";
  };
  const namespaceList = (key: string) => {
    const names = (get(key) ?? "")
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean);
    const invalid = names.filter((n) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n));
    if (invalid.length)
      throw new ConfigError(
        `${key} must be a comma-separated list of namespace names (lower-case letters, digits and '-', at most 63), got ${invalid.map((n) => `"${n}"`).join(", ")}`,
      );
    return names.length ? names : undefined;
  };
  /** A secret from KEY, or from the file KEY_FILE names (a mounted Secret); the file's last newline dropped. */
  const secret = (key: string) => {
    const file = get(`${key}_FILE`);
    if (file === undefined) return get(key);
    if (get(key) !== undefined) throw new ConfigError(`${key} and ${key}_FILE are both set: keep one`);
    try {
      return readFileSync(file, "utf8").replace(/\r?\n$/, "") || undefined;
    } catch (err) {
      throw new ConfigError(`${key}_FILE names ${file}, which cannot be read: ${(err as Error).message}`);
    }
  };
  const stateDir = resolve(get("SLIPWAY_STATE_DIR") ?? defaultStateDir());
  return {
    stateDir,
    toolsBinDir: resolve(get("SLIPWAY_TOOLS_BIN") ?? toolsBinDir),
    kubeconfig: resolve(get("SLIPWAY_KUBECONFIG") ?? get("KUBECONFIG") ?? join(stateDir, "kubeconfig")),
    redisUrl: redisAddressFromSettings({
      url: get("REDIS_URL"),
      sentinels: get("SLIPWAY_REDIS_SENTINELS"),
      sentinelMaster: get("SLIPWAY_REDIS_SENTINEL_MASTER"),
      clusterNodes: get("SLIPWAY_REDIS_CLUSTER_NODES"),
      username: get("SLIPWAY_REDIS_USERNAME"),
      password: secret("SLIPWAY_REDIS_PASSWORD"),
      sentinelPassword: secret("SLIPWAY_REDIS_SENTINEL_PASSWORD"),
    }),
    logLevel: get("SLIPWAY_LOG_LEVEL") ?? "info",
    queuePrefix: queuePrefix(
      get("SLIPWAY_QUEUE_PREFIX"),
      get("REDIS_URL"),
      get("SLIPWAY_REDIS_CLUSTER_NODES"),
    ),
    controller: {
      watchNamespaces: namespaceList("SLIPWAY_WATCH_NAMESPACES"),
      identity: get("SLIPWAY_IDENTITY") ?? `${hostname()}-${process.pid}`,
      leaderElection: bool("SLIPWAY_LEADER_ELECTION", true),
      leaseNamespace: get("SLIPWAY_NAMESPACE") ?? "slipway-system",
      leaseName: get("SLIPWAY_LEASE_NAME") ?? "slipway-controller",
      leaseDurationSeconds: int("SLIPWAY_LEASE_DURATION_SECONDS", 15),
      metricsHost: get("SLIPWAY_METRICS_HOST") ?? "127.0.0.1",
      metricsPort: int("SLIPWAY_METRICS_PORT", 0),
      resyncSeconds: int("SLIPWAY_RESYNC_SECONDS", 300),
      concurrency: int("SLIPWAY_CONTROLLER_CONCURRENCY", 8),
      policyEvaluationsPerSecond: int("SLIPWAY_POLICY_EVALUATIONS_PER_SECOND", 50),
      resumeTimeoutSeconds: int("SLIPWAY_RESUME_TIMEOUT_SECONDS", 1800),
    },
    worker: {
      concurrency: int("SLIPWAY_WORKER_CONCURRENCY", 4),
      spokeConcurrency: int("SLIPWAY_SPOKE_CONCURRENCY", 16),
      lockDurationMs: int("SLIPWAY_WORKER_LOCK_MS", 60_000),
      stalledIntervalMs: int("SLIPWAY_WORKER_STALLED_INTERVAL_MS", 30_000),
      maxStalledCount: int("SLIPWAY_WORKER_MAX_STALLED", 2),
      attempts: int("SLIPWAY_JOB_ATTEMPTS", 0),
      backoffMs: int("SLIPWAY_JOB_BACKOFF_MS", 5_000),
      backoffCapMs: int("SLIPWAY_JOB_BACKOFF_CAP_MS", 300_000),
      stackLeaseMs: int("SLIPWAY_STACK_LEASE_MS", 60_000),
    },
    policies: {
      protectedObjects: parseProtectedObjects(get(PROTECTED_OBJECTS_ENV)),
    },
    registration: {
      leaseDurationSeconds: int("SLIPWAY_REGISTRATION_LEASE_SECONDS", 30),
      hubURL: get("SLIPWAY_REGISTRATION_HUB_URL"),
      resyncSeconds: int("SLIPWAY_REGISTRATION_RESYNC_SECONDS", 600),
      repairAfterSeconds: int("SLIPWAY_REGISTRATION_REPAIR_SECONDS", 120),
    },
    power: {
      clockScale: Math.max(1, int("SLIPWAY_POWER_CLOCK_SCALE", 1)),
      clockOrigin:
        get("SLIPWAY_POWER_CLOCK_ORIGIN") === undefined ? undefined : int("SLIPWAY_POWER_CLOCK_ORIGIN", 0),
    },
    pulumi: {
      backendUrl: pulumiBackendUrl(get("SLIPWAY_PULUMI_BACKEND_URL") ?? defaultPulumiBackendUrl(stateDir)),
      secretsProvider: pulumiSecretsProvider(get("SLIPWAY_PULUMI_SECRETS_PROVIDER") ?? "passphrase"),
      passphrase: get("SLIPWAY_PULUMI_PASSPHRASE") ?? get("PULUMI_CONFIG_PASSPHRASE"),
    },
  };
}

/**
 * On a Redis Cluster a script may touch keys of one hash slot only, and BullMQ's scripts touch several keys of a
 * queue at once: every key must carry the same hash tag, `{...}` in the prefix (BullMQ's documented rule). The
 * default prefix there is `{slipway}`.
 */
function queuePrefix(
  prefix: string | undefined,
  url: string | undefined,
  clusterNodes: string | undefined,
): string {
  const cluster = clusterNodes !== undefined || url?.startsWith("redis-cluster://") === true;
  if (!cluster) return prefix ?? "slipway";
  if (prefix === undefined) return "{slipway}";
  if (!/\{[^{}]+\}/.test(prefix))
    throw new ConfigError(
      `SLIPWAY_QUEUE_PREFIX "${prefix}" has no hash tag, which a Redis Cluster needs: put its name in braces, e.g. "{${prefix}}"`,
    );
  return prefix;
}

/** The Pulumi backend when none is configured: the file backend in the state folder (the one default). */
export function defaultPulumiBackendUrl(stateDir: string): string {
  return `file://${join(stateDir, "pulumi")}`;
}

const BACKEND_SCHEMES = ["file", "s3", "gs", "azblob"];
const KMS_SCHEMES = ["awskms", "azurekeyvault", "gcpkms", "hashivault"];

/** The backend URL, checked: a URL only ever names a bucket and its options, never a credential. */
function pulumiBackendUrl(url: string): string {
  const scheme = /^([a-z0-9]+):\/\//.exec(url)?.[1];
  if (!scheme || !BACKEND_SCHEMES.includes(scheme))
    throw new ConfigError(
      `SLIPWAY_PULUMI_BACKEND_URL must start with ${BACKEND_SCHEMES.map((s) => `${s}://`).join(", ")}, got ${scheme ? `"${scheme}://..."` : "a value without a scheme"}`,
    );
  return url;
}

function pulumiSecretsProvider(provider: string): string {
  const scheme = /^([a-z0-9]+):\/\/./.exec(provider)?.[1];
  if (provider !== "passphrase" && !(scheme && KMS_SCHEMES.includes(scheme)))
    throw new ConfigError(
      `SLIPWAY_PULUMI_SECRETS_PROVIDER must be "passphrase" or a key URL (${KMS_SCHEMES.map((s) => `${s}://`).join(", ")}), got ${scheme ? `"${scheme}://..."` : "a value without a scheme"}`,
    );
  return provider;
}
