import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { logger } from "../runtime/logging.js";
import { StackBusyError, StackOwnerUnknownError } from "../errors/index.js";
import type { RedisConnection } from "./redis.js";

const log = logger("stack-lease");

export interface StackLeasesOptions {
  redis: RedisConnection;
  /** The BullMQ prefix: workers sharing a queue share leases. */
  prefix: string;
  /** A lease not renewed for this long is expired: its owner is taken for dead. Renewed every ttl/3. */
  ttlMs: number;
  /** Default: this machine's host name and process id. */
  host?: string;
  pid?: number;
}

/** Redis's own clock in ms: every host measures a vacancy on the same clock. */
const NOW = `local t = redis.call("TIME") local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Takes the lease (KEYS[1]) with token ARGV[1] for ARGV[2] ms. ARGV[3] says what the caller saw of the stack's
 * Pulumi lock: "seen", "none" or "unknown" (a backend whose locks cannot be listed). KEYS[2], the vacancy mark,
 * holds the Redis time at which a locked stack was first seen without a lease; every write of the lease deletes
 * it, so while it exists the lease has stayed vacant since. Returns {"busy", token, pttl}, {"vacant", ms}, or
 * {"taken", "proven" | ""}: proven when the lease had been vacant for a whole ttl while the stack was locked.
 */
const ACQUIRE = `
if redis.call("EXISTS", KEYS[1]) == 1 then
  return {"busy", redis.call("GET", KEYS[1]), tostring(redis.call("PTTL", KEYS[1]))}
end
${NOW}
local ttl = tonumber(ARGV[2])
local since = tonumber(redis.call("GET", KEYS[2]) or "")
if ARGV[3] == "none" then since = nil end
if ARGV[3] == "seen" and since == nil then
  redis.call("SET", KEYS[2], now, "PX", ttl * 10)
  return {"vacant", "0"}
end
if since ~= nil and now - since < ttl then return {"vacant", tostring(now - since)} end
redis.call("SET", KEYS[1], ARGV[1], "PX", ttl)
redis.call("DEL", KEYS[2])
if since ~= nil then return {"taken", "proven"} end
return {"taken", ""}`;

/**
 * Extends the lease while it holds our token (1). When the key vanished and ARGV[3] is "1" (our lease cannot
 * have expired yet: Redis lost it), writes it again and clears any vacancy mark (2). Otherwise 0.
 */
const RENEW = `
local current = redis.call("GET", KEYS[1])
if current == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
if current == false and ARGV[3] == "1" then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  redis.call("DEL", KEYS[2])
  return 2
end
return 0`;

/** Deletes the key only while it still holds our token: never someone else's lease. */
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

/**
 * Releases our lease and dates the stack's vacancy a whole ttl back (ARGV[2]): for a holder whose own CLI was ended
 * with the stack locked. It knows that lock is dead, so the next owner may clear it at once, as it would after
 * waiting a ttl.
 */
const RELEASE_ABANDONED = `
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
redis.call("DEL", KEYS[1])
${NOW}
local ttl = tonumber(ARGV[2])
redis.call("SET", KEYS[2], now - ttl, "PX", ttl * 10)
return 1`;

/** Releases our lease and marks the locked stack vacant from now: for a holder that found a lock it cannot prove stale. */
const YIELD = `
if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("DEL", KEYS[1]) end
${NOW}
redis.call("SET", KEYS[2], now, "NX", "PX", tonumber(ARGV[2]) * 10)
return 1`;

/** What a caller saw of a stack's Pulumi lock before taking its lease. */
export type StackLockSeen = "seen" | "none" | "unknown";

/**
 * Per-stack leases in Redis. Pulumi's own stack lock cannot tell a live update on another worker host from one
 * whose worker died; a lease can: its owner renews it while it runs, so an expired lease proves the owner dead.
 * A worker runs Pulumi on a stack only while it holds the stack's lease.
 *
 * Redis is a cache and may lose a lease whose owner is alive (FLUSHALL, a restart without persistence, a
 * failover). So the owner re-asserts a lease that vanished before it could have expired, and a lock found with no
 * lease proves nothing until the lease has stayed vacant for a whole ttl (three renewal periods): a live owner
 * writes it again well within that time.
 */
export class StackLeases {
  private readonly host: string;
  private readonly pid: number;

  constructor(private readonly opts: StackLeasesOptions) {
    this.host = opts.host ?? hostname();
    this.pid = opts.pid ?? process.pid;
  }

  get ttlMs(): number {
    return this.opts.ttlMs;
  }

  /**
   * Takes the stack's lease for `jobId` and keeps it renewed until released. StackBusyError while another holds
   * it; StackOwnerUnknownError while the stack is locked (`lock` "seen", or a vacancy another worker saw) and its
   * lease has not yet been vacant for a whole ttl.
   */
  async acquire(stackName: string, jobId: string, lock: StackLockSeen = "unknown"): Promise<StackLease> {
    const holder = `${this.host}/${this.pid}/${jobId}`;
    // The nonce tells two attempts of one job in one process apart: a late renewal of the first never extends
    // the second's lease.
    const token = `${holder}/${randomBytes(6).toString("hex")}`;
    const keys = this.keys(stackName);
    const [verdict, a, b] = (await this.opts.redis.eval(
      ACQUIRE,
      2,
      keys.lease,
      keys.vacancy,
      token,
      this.opts.ttlMs,
      lock,
    )) as [string, string, string?];
    if (verdict === "busy") throw new StackBusyError(stackName, holderOf(a), Math.max(0, Number(b)));
    if (verdict === "vacant") throw new StackOwnerUnknownError(stackName, Number(a), this.opts.ttlMs);
    return new StackLease(this.opts.redis, keys, stackName, token, holder, this.opts.ttlMs, a === "proven");
  }

  /** Who holds the stack's lease and for how long still, or undefined when nobody does. */
  async holder(stackName: string): Promise<{ holder: string; ttlMs: number } | undefined> {
    const key = this.keys(stackName).lease;
    const [token, ttlMs] = await Promise.all([this.opts.redis.get(key), this.opts.redis.pttl(key)]);
    if (!token || ttlMs === -2) return undefined;
    return { holder: holderOf(token), ttlMs: Math.max(0, ttlMs) };
  }

  private keys(stackName: string): LeaseKeys {
    const lease = `${this.opts.prefix}:stack-lease:${stackName}`;
    return { lease, vacancy: `${lease}:vacant` };
  }
}

interface LeaseKeys {
  lease: string;
  /** Set while a locked stack has no lease: the Redis time the vacancy was first seen. */
  vacancy: string;
}

/** A held stack lease. Its signal aborts when the lease is lost; then the run must stop. */
export class StackLease {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private lastRenewedAt = Date.now();
  private lostReason?: string;
  private released = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: LeaseKeys,
    readonly stackName: string,
    private readonly token: string,
    /** `host/pid/jobId`, as another worker sees it. */
    readonly holder: string,
    private readonly ttlMs: number,
    /**
     * The lease had stayed vacant for a whole ttl while the stack was locked: no live worker owns that lock, so
     * it may be cleared. Without this proof a lock on the stack means wait.
     */
    readonly provenVacant: boolean,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the lease was lost, or undefined while it is held. */
  get lost(): string | undefined {
    return this.lostReason;
  }

  /** True when Redis still shows this lease as ours (checked before anything only a holder may do). */
  async isHeld(): Promise<boolean> {
    return !this.lostReason && (await this.redis.get(this.keys.lease)) === this.token;
  }

  /**
   * Extends the lease by its ttl. A key that vanished before our lease could expire (Redis lost it) is written
   * again. The lease is lost when another owner has it (the run must stop: that owner waits for our lock or
   * proved us dead), when it expired, or when renewals failed for a whole ttl.
   */
  async renew(): Promise<void> {
    if (this.released || this.lostReason) return;
    const unexpired = Date.now() - this.lastRenewedAt < this.ttlMs;
    try {
      const renewed = await this.redis.eval(
        RENEW,
        2,
        this.keys.lease,
        this.keys.vacancy,
        this.token,
        this.ttlMs,
        unexpired ? "1" : "0",
      );
      if (renewed === 2) {
        log.warn(
          { stack: this.stackName, holder: this.holder },
          "The stack lease vanished from Redis while its run was alive (flushed, restarted or failed over): re-asserted it",
        );
      }
      if (renewed === 1 || renewed === 2) {
        this.lastRenewedAt = Date.now();
        return;
      }
      const other = await this.redis.get(this.keys.lease);
      this.lose(
        other ? `the lease is now held by ${holderOf(other)}` : "the lease expired before it was renewed",
      );
    } catch (err) {
      if (Date.now() - this.lastRenewedAt >= this.ttlMs) {
        this.lose(`could not renew the lease for ${this.ttlMs} ms: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Gives the lease up because the stack turned out locked and this lease cannot prove the lock stale: the
   * vacancy is measured from now, and the lock's owner, if alive, re-asserts its lease meanwhile.
   */
  async yieldToLockOwner(): Promise<void> {
    this.stop();
    await this.redis.eval(YIELD, 2, this.keys.lease, this.keys.vacancy, this.token, this.ttlMs);
  }

  /**
   * Stops renewing and frees the stack for the next owner; a lease already lost is left alone. `lockAbandoned`:
   * this holder's CLI was ended with the stack locked, so the next owner clears that lock without waiting a ttl.
   */
  async release(opts: { lockAbandoned?: boolean } = {}): Promise<void> {
    if (this.released) return;
    this.stop();
    if (this.lostReason) return;
    const released = opts.lockAbandoned
      ? this.redis.eval(RELEASE_ABANDONED, 2, this.keys.lease, this.keys.vacancy, this.token, this.ttlMs)
      : this.redis.eval(RELEASE, 1, this.keys.lease, this.token);
    await released.catch((err: unknown) => {
      // It expires by itself within a ttl; the next owner waits until then.
      log.warn({ stack: this.stackName }, `Could not release the stack lease: ${(err as Error).message}`);
    });
  }

  private stop(): void {
    this.released = true;
    clearInterval(this.timer);
  }

  private lose(reason: string): void {
    this.lostReason = reason;
    clearInterval(this.timer);
    log.warn({ stack: this.stackName, holder: this.holder }, `Lost the stack lease: ${reason}`);
    this.controller.abort(new Error(`lost the lease of stack ${this.stackName}: ${reason}`));
  }
}

/** `host/pid/jobId` of a token `host/pid/jobId/nonce`. */
function holderOf(token: string): string {
  return token.replace(/\/[0-9a-f]{12}$/, "");
}
