import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SlipwayConfig } from "../runtime/config.js";

/** REDIS_URL, or the Redis that `slipway dev up` started (recorded in the state folder). */
export function redisUrlFor(config: SlipwayConfig): string {
  if (config.redisUrl) return config.redisUrl;
  const dev = join(config.stateDir, "dev.json");
  if (existsSync(dev)) {
    const url = (JSON.parse(readFileSync(dev, "utf8")) as { redisUrl?: string }).redisUrl;
    if (url) return url;
  }
  throw new Error("no Redis: set REDIS_URL or start the dev hub with `slipway dev up`");
}

/**
 * Resolves once SIGINT or SIGTERM arrives. The listeners stay (a later signal changes nothing): execa's
 * signal-exit, loaded with the Pulumi CLI, re-sends a signal to this process when it finds itself the only
 * listener, which would kill a worker in the middle of stopping.
 */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.on("SIGINT", () => resolve("SIGINT"));
    process.on("SIGTERM", () => resolve("SIGTERM"));
  });
}
