import { Redis, type RedisOptions } from "ioredis";
import { parseRedisAddress } from "../runtime/redis-address.js";

/**
 * Every Redis connection Slipway makes, from one address (src/runtime/redis-address.ts): one Redis, or the master
 * that Redis Sentinel names. BullMQ wants maxRetriesPerRequest null on connections that block (workers, queue
 * events); a command waits in ioredis's offline queue while the connection is down or moving to a new master.
 */
export function redisConnection(address: string): Redis {
  const common: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    reconnectOnError: reconnectOnReadOnly,
  };
  const target = parseRedisAddress(address);
  switch (target.kind) {
    case "standalone":
      return new Redis(target.url, common);
    case "sentinel":
      return new Redis({
        ...common,
        sentinels: target.sentinels,
        name: target.masterName,
        db: target.db,
        ...(target.username ? { username: target.username } : {}),
        ...(target.password ? { password: target.password } : {}),
        ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
        // Sentinels announce +switch-master; ioredis then leaves the old master at once instead of waiting for
        // the connection to it to fail (a master cut off without a reset keeps its sockets half-open).
        failoverDetector: true,
        // A failed-over deployment's Sentinels may have moved: ask them for the current list.
        updateSentinels: true,
      });
    case "cluster":
      throw new Error(
        "Redis Cluster is not supported: BullMQ keeps every key of a queue in one hash slot, so a Cluster only adds " +
          "failover, which Sentinel gives without the Cluster client (docs/operations.md, Redis high availability)",
      );
  }
}

/**
 * A connection that still points at a demoted master (a replica now) is answered READONLY for every write:
 * reconnect (through Sentinel, to the new master) and send the command again (2). It was refused, not run, so
 * sending it again does nothing twice.
 */
export function reconnectOnReadOnly(error: Error): boolean | 2 {
  return /^READONLY\b/.test(error.message) ? 2 : false;
}
