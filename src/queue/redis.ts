import { Redis } from "ioredis";

/** BullMQ wants maxRetriesPerRequest null on connections that block (workers, queue events). */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}
