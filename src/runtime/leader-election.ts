import { setTimeout as sleep } from "node:timers/promises";
import { isConflict, isNotFound } from "../errors/index.js";
import type { KubeClient } from "./kube-client.js";
import { logger as namedLogger, type Logger } from "./logging.js";
import { coreResources, collectionPath, objectPath, type KubeObject } from "./resource.js";

export interface LeaderElectionOptions {
  client: KubeClient;
  /** Where the coordination.k8s.io/v1 Lease lives. */
  namespace: string;
  name: string;
  /** Unique per replica (pod name, or host-pid). */
  identity: string;
  /** How long a lease is valid after its last observed renewal; candidates wait this long for a silent leader. */
  leaseDurationMs?: number;
  /** The leader steps down when it has not renewed for this long (must be below leaseDurationMs). */
  renewDeadlineMs?: number;
  /** How often the leader renews and candidates try to acquire. */
  retryPeriodMs?: number;
  onStartedLeading?: () => void | Promise<void>;
  onStoppedLeading?: () => void | Promise<void>;
  /** Called when the observed holder changes (including to this replica). */
  onNewLeader?: (identity: string) => void;
  logger?: Logger;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** coordination.k8s.io MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/**
 * Lease-based leader election with client-go's algorithm: a candidate takes the Lease when it is unheld or
 * its record has not changed for the lease duration as observed on the candidate's own clock (so clock skew
 * between replicas does not matter); every write carries the read resourceVersion, so two candidates cannot
 * both win. The leader renews every retry period and steps down if it cannot renew within the renew deadline.
 * After stepping down it becomes a candidate again.
 */
export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  private leading = false;
  private observedHolder?: string;
  private observedResourceVersion?: string;
  /** Local time at which the lease record last changed, as seen by this replica. */
  private observedAt = 0;
  private lastContactAt = 0;
  private stopController = new AbortController();
  private loop?: Promise<void>;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? Math.round((this.leaseDurationMs * 2) / 3);
    this.retryPeriodMs = options.retryPeriodMs ?? Math.max(200, Math.round(this.leaseDurationMs / 7.5));
    if (this.renewDeadlineMs >= this.leaseDurationMs)
      throw new Error("renewDeadlineMs must be less than leaseDurationMs");
    if (this.retryPeriodMs >= this.renewDeadlineMs)
      throw new Error("retryPeriodMs must be less than renewDeadlineMs");
    this.log = (options.logger ?? namedLogger("runtime.leader-election")).child({
      lease: `${options.namespace}/${options.name}`,
      identity: options.identity,
    });
  }

  start(): void {
    if (this.loop) return;
    this.stopController = new AbortController();
    this.loop = this.run(this.stopController.signal);
  }

  /**
   * Stops campaigning. A leader releases the Lease (holder cleared) so a standby takes over at its next try
   * instead of after the lease duration; `release: false` simulates a crash.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.stopController.abort();
    await this.loop;
    this.loop = undefined;
    if (this.leading) {
      // Stop our own work first, then hand over: the next leader must not overlap with our in-flight reconciles.
      await this.stepDown("stopped");
      if (options.release ?? true) await this.release();
    }
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder this replica last saw ("" when nobody holds the Lease). */
  currentLeader(): string | undefined {
    return this.observedHolder;
  }

  /** Leading, or standing by with the Lease readable: the API server answered within the lease duration. */
  isHealthy(): boolean {
    return this.loop !== undefined && Date.now() - this.lastContactAt <= this.leaseDurationMs;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.leading) {
        if ((await this.tryAcquireOrRenew(signal)) === "held") {
          this.leading = true;
          this.log.info("Acquired the lease; starting to lead");
          await this.invoke("onStartedLeading", this.options.onStartedLeading);
          continue;
        }
        // Jitter keeps candidates from retrying in lockstep.
        await this.pause(this.retryPeriodMs * (1 + 0.2 * Math.random()), signal);
        continue;
      }
      let lastRenewedAt = Date.now();
      while (!signal.aborted && this.leading) {
        await this.pause(this.retryPeriodMs, signal);
        if (signal.aborted) break;
        const outcome = await this.tryAcquireOrRenew(signal);
        if (outcome === "held") {
          lastRenewedAt = Date.now();
        } else if (outcome === "taken") {
          this.log.warn({ holder: this.observedHolder }, "Another replica holds the lease; stepping down");
          await this.stepDown("lost");
        } else if (Date.now() - lastRenewedAt >= this.renewDeadlineMs) {
          this.log.warn(
            { renewDeadlineMs: this.renewDeadlineMs },
            "Could not renew the lease within the renew deadline; stepping down",
          );
          await this.stepDown("lost");
        }
      }
    }
  }

  /** held: this replica holds the Lease now; taken: another holder's lease is valid; failed: the attempt itself failed. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<"held" | "taken" | "failed"> {
    const { client, namespace, name, identity } = this.options;
    const now = new Date();
    // A renewal that outlives the renew deadline is worthless: give up on it before then.
    const requestSignal = AbortSignal.any([signal, AbortSignal.timeout(this.renewDeadlineMs)]);
    try {
      const lease = await client
        .request<Lease>("GET", objectPath(coreResources.leases, namespace, name), { signal: requestSignal })
        .catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
      if (!lease) {
        const created = await client.request<Lease>("POST", collectionPath(coreResources.leases, namespace), {
          body: {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name, namespace },
            spec: this.spec(now, {}, "create"),
          },
          signal: requestSignal,
        });
        this.observe(created, Date.now());
        return "held";
      }
      this.observe(lease, now.getTime());
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const durationMs = (spec.leaseDurationSeconds ?? this.leaseDurationMs / 1000) * 1000;
      if (holder !== "" && holder !== identity && this.observedAt + durationMs > now.getTime())
        return "taken";

      const updated = await client.request<Lease>("PUT", objectPath(coreResources.leases, namespace, name), {
        body: { ...lease, spec: this.spec(now, spec, holder === identity ? "renew" : "takeover") },
        signal: requestSignal,
      });
      if (holder !== identity)
        this.log.info({ previousHolder: holder || undefined }, "Taking over the lease");
      this.observe(updated, Date.now());
      return "held";
    } catch (error) {
      if (!signal.aborted) {
        // 409: another candidate wrote first. Either way we simply did not get it this round.
        const level = isConflict(error) ? "debug" : "warn";
        this.log[level](
          { err: error instanceof Error ? error.message : String(error) },
          "Lease acquire/renew attempt failed",
        );
      }
      return "failed";
    }
  }

  private spec(now: Date, previous: LeaseSpec, mode: "create" | "takeover" | "renew"): LeaseSpec {
    const transitions = previous.leaseTransitions ?? 0;
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: mode === "renew" ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: mode === "takeover" ? transitions + 1 : transitions,
    };
  }

  private observe(lease: Lease, at: number): void {
    this.lastContactAt = Date.now();
    const version = lease.metadata?.resourceVersion;
    if (version !== this.observedResourceVersion) {
      this.observedResourceVersion = version;
      this.observedAt = at;
    }
    const holder = lease.spec?.holderIdentity ?? "";
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder) this.options.onNewLeader?.(holder);
    }
  }

  private async release(): Promise<void> {
    const { client, namespace, name, identity } = this.options;
    try {
      const lease = await client.request<Lease>("GET", objectPath(coreResources.leases, namespace, name), {
        signal: AbortSignal.timeout(this.renewDeadlineMs),
      });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(new Date());
      await client.request<Lease>("PUT", objectPath(coreResources.leases, namespace, name), {
        // client-go's release: no holder, a 1 s duration, so the next candidate takes it at its next try.
        body: {
          ...lease,
          spec: {
            leaseTransitions: lease.spec.leaseTransitions ?? 0,
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
          },
        },
        signal: AbortSignal.timeout(this.renewDeadlineMs),
      });
      this.log.info("Released the lease");
    } catch (error) {
      this.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "Could not release the lease; standbys take over after it expires",
      );
    }
  }

  private async stepDown(why: "lost" | "stopped"): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.log.info({ why }, "No longer leading");
    await this.invoke("onStoppedLeading", this.options.onStoppedLeading);
  }

  private async invoke(name: string, callback: (() => void | Promise<void>) | undefined): Promise<void> {
    try {
      await callback?.();
    } catch (error) {
      this.log.error(
        { err: error instanceof Error ? error.message : String(error), callback: name },
        "Leader election callback threw",
      );
    }
  }

  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    await sleep(ms, undefined, { signal }).catch(() => undefined);
  }
}
