import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { logger } from "../runtime/logging.js";
import { StackBusyError } from "../errors/index.js";

const log = logger("stack-lease");

export interface StackLeasesOptions {
  redis: Redis;
  /** The BullMQ prefix: workers sharing a queue share leases. */
  prefix: string;
  /** A lease not renewed for this long is expired: its owner is taken for dead. Renewed every ttl/3. */
  ttlMs: number;
  /** Default: this machine's host name and process id. */
  host?: string;
  pid?: number;
}

/** Sets the key's expiry again only while it still holds our token. */
const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the key only while it still holds our token: never someone else's lease. */
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

/**
 * Per-stack leases in Redis. Pulumi's own stack lock cannot tell a live update on another worker host from one
 * whose worker died; a lease can: its owner renews it while it runs, so an expired lease proves the owner dead.
 * A worker runs Pulumi on a stack only while it holds the stack's lease.
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

  /** Takes the stack's lease for `jobId` and keeps it renewed until released; StackBusyError while another holds it. */
  async acquire(stackName: string, jobId: string): Promise<StackLease> {
    const holder = `${this.host}/${this.pid}/${jobId}`;
    // The nonce tells two attempts of one job in one process apart: a late renewal of the first never extends
    // the second's lease.
    const token = `${holder}/${randomBytes(6).toString("hex")}`;
    const key = this.key(stackName);
    const taken = await this.opts.redis.set(key, token, "PX", this.opts.ttlMs, "NX");
    if (taken !== "OK") {
      const current = await this.holder(stackName);
      if (!current) return this.acquire(stackName, jobId); // expired between the two calls
      throw new StackBusyError(stackName, current.holder, current.ttlMs);
    }
    return new StackLease(this.opts.redis, key, stackName, token, holder, this.opts.ttlMs);
  }

  /** Who holds the stack's lease and for how long still, or undefined when nobody does. */
  async holder(stackName: string): Promise<{ holder: string; ttlMs: number } | undefined> {
    const key = this.key(stackName);
    const [token, ttlMs] = await Promise.all([this.opts.redis.get(key), this.opts.redis.pttl(key)]);
    if (!token || ttlMs === -2) return undefined;
    return { holder: holderOf(token), ttlMs: Math.max(0, ttlMs) };
  }

  private key(stackName: string): string {
    return `${this.opts.prefix}:stack-lease:${stackName}`;
  }
}

/** A held stack lease. Its signal aborts when the lease is lost; then the run must stop. */
export class StackLease {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private lastRenewedAt = Date.now();
  private lostReason?: string;
  private released = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    readonly stackName: string,
    private readonly token: string,
    /** `host/pid/jobId`, as another worker sees it. */
    readonly holder: string,
    private readonly ttlMs: number,
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
    return !this.lostReason && (await this.redis.get(this.key)) === this.token;
  }

  /** Extends the lease by its ttl; loses it when another owner has it or renewals failed for a whole ttl. */
  async renew(): Promise<void> {
    if (this.released || this.lostReason) return;
    try {
      const renewed = await this.redis.eval(RENEW, 1, this.key, this.token, this.ttlMs);
      if (renewed === 1) {
        this.lastRenewedAt = Date.now();
        return;
      }
      const other = await this.redis.get(this.key);
      this.lose(
        other ? `the lease is now held by ${holderOf(other)}` : "the lease expired before it was renewed",
      );
    } catch (err) {
      if (Date.now() - this.lastRenewedAt >= this.ttlMs) {
        this.lose(`could not renew the lease for ${this.ttlMs} ms: ${(err as Error).message}`);
      }
    }
  }

  /** Stops renewing and frees the stack for the next owner; a lease already lost is left alone. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    if (this.lostReason) return;
    await this.redis.eval(RELEASE, 1, this.key, this.token).catch((err: unknown) => {
      // It expires by itself within a ttl; the next owner waits until then.
      log.warn({ stack: this.stackName }, `Could not release the stack lease: ${(err as Error).message}`);
    });
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
