import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/runtime/config.js";
import { describeRedisAddress, parseRedisAddress } from "../../../src/runtime/redis-address.js";
import { reconnectOnReadOnly } from "../../../src/queue/redis.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

const tempFolder = temporaryFolders("redis-address-");

describe("Redis address: one Redis, Sentinel, or a Cluster's seeds", () => {
  it("keeps REDIS_URL as it is when nothing else is set", () => {
    expect(loadConfig({ REDIS_URL: "redis://10.0.0.5:6379/2" }).redisUrl).toBe("redis://10.0.0.5:6379/2");
    expect(loadConfig({}).redisUrl).toBeUndefined();
  });

  it("builds a Sentinel address from the Sentinels, the master name and the passwords, and parses it back", () => {
    const dir = tempFolder();
    writeFileSync(join(dir, "password"), "p@ss:w/rd\n");
    const { redisUrl } = loadConfig({
      SLIPWAY_REDIS_SENTINELS: "redis-0.redis:26379, redis-1.redis,[fd00::7]:5000",
      SLIPWAY_REDIS_SENTINEL_MASTER: "mymaster",
      SLIPWAY_REDIS_PASSWORD_FILE: join(dir, "password"),
      SLIPWAY_REDIS_SENTINEL_PASSWORD: "s&ntinel",
    });
    expect(parseRedisAddress(redisUrl!)).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "redis-0.redis", port: 26379 },
        { host: "redis-1.redis", port: 26379 },
        { host: "fd00::7", port: 5000 },
      ],
      masterName: "mymaster",
      db: 0,
      password: "p@ss:w/rd",
      sentinelPassword: "s&ntinel",
    });
    // What a log line or `dev status` shows: no password of either kind.
    const shown = describeRedisAddress(redisUrl!);
    expect(shown).not.toMatch(/p%40ss|p@ss|s%26ntinel|s&ntinel/);
    expect(shown).toContain("redis-0.redis:26379");
  });

  it("accepts Lettuce's redis-sentinel:// form in REDIS_URL, with the password given apart", () => {
    const { redisUrl } = loadConfig({
      REDIS_URL: "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379/1#mymaster",
      SLIPWAY_REDIS_PASSWORD: "secret",
    });
    expect(parseRedisAddress(redisUrl!)).toMatchObject({
      kind: "sentinel",
      masterName: "mymaster",
      db: 1,
      password: "secret",
    });
    expect(loadConfig({ REDIS_URL: "redis://h:6379", SLIPWAY_REDIS_PASSWORD: "x y" }).redisUrl).toBe(
      "redis://:x%20y@h:6379",
    );
    expect(describeRedisAddress("redis://user:hunter2@h:6379")).toBe("redis://user:***@h:6379");
  });

  it("refuses settings that contradict each other or are incomplete, in words, without the password", () => {
    const refused = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refused({ REDIS_URL: "redis://h:1", SLIPWAY_REDIS_SENTINELS: "a:1" })).toBe(
      "REDIS_URL and SLIPWAY_REDIS_SENTINELS are both set: name the Redis one way only",
    );
    expect(refused({ SLIPWAY_REDIS_SENTINELS: "a:1" })).toMatch(/needs SLIPWAY_REDIS_SENTINEL_MASTER/);
    expect(refused({ SLIPWAY_REDIS_SENTINELS: "a:1:2", SLIPWAY_REDIS_SENTINEL_MASTER: "m" })).toMatch(
      /comma-separated list of host:port, got "a:1:2"/,
    );
    expect(refused({ SLIPWAY_REDIS_PASSWORD: "hunter2" })).toMatch(/no Redis is named/);
    expect(refused({ REDIS_URL: "redis-sentinel://a:1/0", SLIPWAY_REDIS_PASSWORD: "hunter2" })).toMatch(
      /needs the master's name/,
    );
    const wrongScheme = refused({ REDIS_URL: "http://u:hunter2@h:1" });
    expect(wrongScheme).toMatch(/must start with redis:\/\//);
    expect(wrongScheme).not.toContain("hunter2");
    expect(
      refused({
        SLIPWAY_REDIS_PASSWORD: "a",
        SLIPWAY_REDIS_PASSWORD_FILE: "/nope",
        REDIS_URL: "redis://h:1",
      }),
    ).toMatch(/both set: keep one/);
  });

  it("reconnects and resends a command a demoted master refused, and only that", () => {
    expect(reconnectOnReadOnly(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnectOnReadOnly(new Error("OOM command not allowed"))).toBe(false);
    expect(reconnectOnReadOnly(new Error("ERR unknown command"))).toBe(false);
  });
});
