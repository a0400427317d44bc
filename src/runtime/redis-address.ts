import { ConfigError } from "../errors/index.js";

/**
 * Where Slipway's Redis is, as one string, so it travels through every option record as the plain URL did:
 * - `redis://[[user:]password@]host:port[/db]` or `rediss://...` (TLS): one Redis, as ioredis reads it;
 * - `redis-sentinel://[[user:]password@]host:port,host:port[/db]?sentinelMasterId=<name>[&sentinelPassword=<p>]`:
 *   a master found through Redis Sentinel, in the form Lettuce (the Java client) documents;
 * - `redis-cluster://[[user:]password@]host:port,host:port`: the seed nodes of a Redis Cluster.
 * Passwords are percent-encoded. The string may hold them: `describeRedisAddress` is the only form to log.
 */
export type RedisAddress =
  | { kind: "standalone"; url: string }
  | {
      kind: "sentinel";
      sentinels: HostPort[];
      masterName: string;
      db: number;
      username?: string;
      password?: string;
      sentinelPassword?: string;
    }
  | { kind: "cluster"; nodes: HostPort[]; username?: string; password?: string };

export interface HostPort {
  host: string;
  port: number;
}

const MULTI_HOST =
  /^(redis-sentinel|redis-cluster):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/(\d+))?(?:\?([^#]*))?(?:#(.*))?$/;

export function parseRedisAddress(address: string): RedisAddress {
  if (/^rediss?:\/\//.test(address)) return { kind: "standalone", url: address };
  const m = MULTI_HOST.exec(address);
  if (!m)
    throw new ConfigError(
      `a Redis address must start with redis://, rediss://, redis-sentinel:// or redis-cluster://, got "${describeRedisAddress(address)}"`,
    );
  const [, scheme, userinfo, hosts, db, query, fragment] = m;
  const credentials = parseUserinfo(userinfo);
  const list = hostList(hosts!, scheme === "redis-sentinel" ? 26379 : 6379);
  if (scheme === "redis-cluster") {
    if (db !== undefined && db !== "0")
      throw new ConfigError(
        "a Redis Cluster has only database 0: drop the /db from the redis-cluster:// address",
      );
    return { kind: "cluster", nodes: list, ...credentials };
  }
  const params = new URLSearchParams(query ?? "");
  const masterName = params.get("sentinelMasterId") ?? (fragment ? decodeURIComponent(fragment) : undefined);
  if (!masterName)
    throw new ConfigError(
      "a redis-sentinel:// address needs the master's name: add ?sentinelMasterId=<name> (SLIPWAY_REDIS_SENTINEL_MASTER)",
    );
  const sentinelPassword = params.get("sentinelPassword") ?? undefined;
  return {
    kind: "sentinel",
    sentinels: list,
    masterName,
    db: Number(db ?? 0),
    ...credentials,
    ...(sentinelPassword ? { sentinelPassword } : {}),
  };
}

/** The inverse of parseRedisAddress for the two multi-host forms; a standalone address is its URL. */
export function formatRedisAddress(address: RedisAddress): string {
  if (address.kind === "standalone") return address.url;
  const userinfo =
    address.password === undefined
      ? ""
      : `${address.username ? encodeURIComponent(address.username) : ""}:${encodeURIComponent(address.password)}@`;
  if (address.kind === "cluster") return `redis-cluster://${userinfo}${hostsText(address.nodes)}`;
  const params = new URLSearchParams({ sentinelMasterId: address.masterName });
  if (address.sentinelPassword) params.set("sentinelPassword", address.sentinelPassword);
  return `redis-sentinel://${userinfo}${hostsText(address.sentinels)}/${address.db}?${params.toString()}`;
}

/** The address without its passwords: what a log line, an error or `slipway dev status` may show. */
export function describeRedisAddress(address: string): string {
  return address
    .replace(/^([a-z-]+:\/\/)([^@/]*:)[^@/]*@/, "$1$2***@")
    .replace(/([?&]sentinelPassword=)[^&#]*/, "$1***");
}

/**
 * The Redis address from the environment: REDIS_URL, or the Sentinels and master name, or a Cluster's seed nodes,
 * with the passwords given apart (SLIPWAY_REDIS_PASSWORD and SLIPWAY_REDIS_SENTINEL_PASSWORD, or their _FILE
 * forms, read by the caller) folded in. Undefined when no Redis is named (`slipway dev up` starts one).
 */
export function redisAddressFromSettings(s: {
  url?: string;
  sentinels?: string;
  sentinelMaster?: string;
  clusterNodes?: string;
  username?: string;
  password?: string;
  sentinelPassword?: string;
}): string | undefined {
  const named = [
    s.url && "REDIS_URL",
    s.sentinels && "SLIPWAY_REDIS_SENTINELS",
    s.clusterNodes && "SLIPWAY_REDIS_CLUSTER_NODES",
  ].filter(Boolean);
  if (named.length > 1)
    throw new ConfigError(`${named.join(" and ")} are both set: name the Redis one way only`);
  if (s.sentinelMaster && !s.sentinels)
    throw new ConfigError(
      "SLIPWAY_REDIS_SENTINEL_MASTER is set without SLIPWAY_REDIS_SENTINELS: list the Sentinels",
    );
  if (s.sentinelPassword && !s.sentinels && !s.url?.startsWith("redis-sentinel://"))
    throw new ConfigError("a Sentinel password is set but no Sentinels are: set SLIPWAY_REDIS_SENTINELS");
  if (named.length === 0) {
    if (s.password)
      throw new ConfigError(
        "a Redis password is set but no Redis is named: set REDIS_URL, SLIPWAY_REDIS_SENTINELS or SLIPWAY_REDIS_CLUSTER_NODES",
      );
    return undefined;
  }
  const credentials = {
    ...(s.username ? { username: s.username } : {}),
    ...(s.password ? { password: s.password } : {}),
  };
  if (s.sentinels) {
    if (!s.sentinelMaster)
      throw new ConfigError(
        "SLIPWAY_REDIS_SENTINELS needs SLIPWAY_REDIS_SENTINEL_MASTER: the name the Sentinels monitor the master by",
      );
    return formatRedisAddress({
      kind: "sentinel",
      sentinels: hostList(s.sentinels, 26379, "SLIPWAY_REDIS_SENTINELS"),
      masterName: s.sentinelMaster,
      db: 0,
      ...credentials,
      ...(s.sentinelPassword ? { sentinelPassword: s.sentinelPassword } : {}),
    });
  }
  if (s.clusterNodes)
    return formatRedisAddress({
      kind: "cluster",
      nodes: hostList(s.clusterNodes, 6379, "SLIPWAY_REDIS_CLUSTER_NODES"),
      ...credentials,
    });
  const parsed = parseRedisAddress(s.url!);
  if (!s.password && !s.sentinelPassword) return s.url;
  if (parsed.kind === "standalone") {
    const url = new URL(s.url!);
    if (url.password)
      throw new ConfigError("REDIS_URL holds a password and SLIPWAY_REDIS_PASSWORD is set too: keep one");
    if (s.username) url.username = encodeURIComponent(s.username);
    url.password = encodeURIComponent(s.password!);
    return url.toString();
  }
  if (parsed.password && s.password)
    throw new ConfigError("REDIS_URL holds a password and SLIPWAY_REDIS_PASSWORD is set too: keep one");
  return formatRedisAddress({
    ...parsed,
    ...credentials,
    ...(parsed.kind === "sentinel" && s.sentinelPassword ? { sentinelPassword: s.sentinelPassword } : {}),
  });
}

function parseUserinfo(userinfo: string | undefined): { username?: string; password?: string } {
  if (userinfo === undefined) return {};
  const colon = userinfo.indexOf(":");
  const username = decodeURIComponent(colon < 0 ? "" : userinfo.slice(0, colon));
  const password = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(colon + 1));
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

function hostList(text: string, defaultPort: number, setting = "the Redis address"): HostPort[] {
  const entries = text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new ConfigError(`${setting} lists no host:port`);
  return entries.map((entry) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+)(?::(\d{1,5}))?$/.exec(entry);
    const port = Number(m?.[2] ?? defaultPort);
    if (!m || port < 1 || port > 65535)
      throw new ConfigError(`${setting} must be a comma-separated list of host:port, got "${entry}"`);
    return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
  });
}

function hostsText(list: HostPort[]): string {
  return list.map((h) => `${h.host.includes(":") ? `[${h.host}]` : h.host}:${h.port}`).join(",");
}
