import { Cluster, Redis, type RedisOptions } from "ioredis";
import { logger } from "../runtime/logging.js";
import { describeRedisAddress, parseRedisAddress } from "../runtime/redis-address.js";
import { ThrottledErrorLog } from "./redis-errors.js";

/**
 * A connection to one Redis (standalone or Sentinel's master) or to a Redis Cluster. Both are ioredis Commanders
 * with the same commands, events and lifecycle, and BullMQ takes either as its connection (it tells a Cluster apart
 * at run time), so the queue layer holds this union instead of pretending a Cluster is a Redis.
 */
export type RedisConnection = Redis | Cluster;

/**
 * Every Redis connection Slipway makes, from one address (src/runtime/redis-address.ts): one Redis, the master
 * that Redis Sentinel names, or a Redis Cluster. BullMQ wants maxRetriesPerRequest null on connections that
 * block (workers, queue events); a command waits in ioredis's offline queue while the connection is down or
 * moving to a new master.
 */
export function redisConnection(address: string): RedisConnection {
  const connection = connect(address);
  // Every client gets a listener, so an outage is a throttled warning, not ioredis's "Unhandled error event"
  // with a stack trace per reconnect attempt.
  connection.on("error", (err: Error) => errors.report(err, { redis: describeRedisAddress(address) }));
  return connection;
}

const errors = new ThrottledErrorLog(logger("redis"));

function connect(address: string): RedisConnection {
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
        // Not ioredis's failoverDetector: its +switch-master handler disconnects the connector even while a
        // reconnect is under way, which ends the connection for good ("Connection is closed" on every command
        // after a failover, seen in test/e2e/queue/sentinel-failover.test.ts). A killed master's sockets close;
        // a demoted one answers READONLY (reconnectOnReadOnly).
        // A failed-over deployment's Sentinels may have moved: ask them for the current list.
        updateSentinels: true,
      });
    case "cluster": {
      // Every key Slipway and BullMQ use starts with the hash-tagged prefix (config refuses one without a tag),
      // so each script's keys share a slot.
      const { maxRetriesPerRequest, enableReadyCheck, reconnectOnError } = common;
      return new Cluster(target.nodes, {
        redisOptions: {
          maxRetriesPerRequest,
          reconnectOnError,
          ...(target.username ? { username: target.username } : {}),
          ...(target.password ? { password: target.password } : {}),
        },
        enableReadyCheck,
      });
    }
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
