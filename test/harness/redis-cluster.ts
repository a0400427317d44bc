import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { findRedisServer } from "../../src/dev/redis.js";
import { freePort } from "../../src/local/processes.js";
import { untilRedisAnswers } from "./redis-sentinel.js";

const run = promisify(execFile);

/**
 * A Redis Cluster of three masters (no replicas) from Debian's redis-server on loopback, its slots assigned by
 * `redis-cli --cluster create`. `nodes` is what Slipway is given (SLIPWAY_REDIS_CLUSTER_NODES).
 */
export class RedisClusterDeployment {
  private readonly children: ChildProcess[] = [];
  private readonly ports: number[] = [];

  static async start(dir: string): Promise<RedisClusterDeployment> {
    const d = new RedisClusterDeployment();
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const nodeDir = join(dir, String(port));
      await mkdir(nodeDir, { recursive: true });
      const child = spawn(
        findRedisServer(),
        ["--bind", "127.0.0.1", "--port", String(port), "--dir", nodeDir, "--cluster-enabled", "yes"],
        { stdio: "ignore" },
      );
      d.children.push(child);
      d.ports.push(port);
      await untilRedisAnswers(port);
    }
    await run(findRedisServer().replace(/redis-server$/, "redis-cli"), [
      "--cluster",
      "create",
      ...d.ports.map((p) => `127.0.0.1:${p}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    const client = new Redis({ port: d.ports[0], host: "127.0.0.1" });
    try {
      const deadline = Date.now() + 15_000;
      while (!/cluster_state:ok/.test(await client.cluster("INFO"))) {
        if (Date.now() > deadline) throw new Error("the Redis Cluster did not reach cluster_state:ok in 15s");
        await sleep(100);
      }
    } finally {
      client.disconnect();
    }
    return d;
  }

  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(",");
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }),
    );
  }
}
