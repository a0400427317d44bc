import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { findRedisServer } from "../../src/dev/redis.js";
import { freePort } from "../../src/local/processes.js";

export const SENTINEL_MASTER = "slipway";

interface Member {
  role: "master" | "replica" | "sentinel";
  port: number;
  child: ChildProcess;
}

/**
 * Debian's redis-server on loopback as a small Sentinel deployment: one master, one replica and three Sentinels
 * (quorum 2) watching it as SENTINEL_MASTER. Sentinels take a master down after 1 s without an answer, so a
 * failover takes a few seconds, not the default 30. `address` is what Slipway is given (SLIPWAY_REDIS_SENTINELS).
 */
export class SentinelDeployment {
  private readonly members: Member[] = [];

  private constructor(private readonly dir: string) {}

  static async start(dir: string): Promise<SentinelDeployment> {
    await mkdir(dir, { recursive: true });
    const d = new SentinelDeployment(dir);
    const masterPort = await freePort();
    await d.startServer("master", masterPort, []);
    const replicaPort = await freePort();
    await d.startServer("replica", replicaPort, ["--replicaof", "127.0.0.1", String(masterPort)]);
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      await writeFile(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
          `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
          "",
        ].join("\n"),
      );
      d.spawnMember("sentinel", port, [conf, "--sentinel"]);
      await untilRedisAnswers(port);
    }
    await d.untilReplicaInSync(masterPort);
    return d;
  }

  /** host:port of the three Sentinels, comma-separated. */
  get sentinels(): string {
    return this.members
      .filter((m) => m.role === "sentinel")
      .map((m) => `127.0.0.1:${m.port}`)
      .join(",");
  }

  /** The master's port as the Sentinels report it now. */
  async masterPort(): Promise<number> {
    const sentinel = this.members.find((m) => m.role === "sentinel" && m.child.exitCode === null)!;
    const client = new Redis({ port: sentinel.port, host: "127.0.0.1", lazyConnect: true });
    try {
      await client.connect();
      const [, port] = (await client.call(
        "SENTINEL",
        "get-master-addr-by-name",
        SENTINEL_MASTER,
      )) as string[];
      return Number(port);
    } finally {
      client.disconnect();
    }
  }

  /** SIGKILLs the current master (no goodbye to its clients or replica); returns its port. */
  async killMaster(): Promise<number> {
    const port = await this.masterPort();
    const master = this.members.find((m) => m.port === port)!;
    master.child.kill("SIGKILL");
    await new Promise((resolve) =>
      master.child.exitCode !== null ? resolve(null) : master.child.once("exit", resolve),
    );
    return port;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.members.map(async (m) => {
        if (m.child.exitCode !== null || m.child.signalCode !== null) return;
        const exited = new Promise((resolve) => m.child.once("exit", resolve));
        m.child.kill("SIGKILL");
        await exited;
      }),
    );
  }

  private async startServer(role: "master" | "replica", port: number, extra: string[]): Promise<void> {
    const args = ["--bind", "127.0.0.1", "--port", String(port), "--dir", this.dir, "--save", ""];
    // Full syncs without a file on disk, at once: the replica is in sync before the test starts.
    args.push("--appendonly", "no", "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0");
    args.push("--dbfilename", `dump-${port}.rdb`, ...extra);
    this.spawnMember(role, port, args);
    await untilRedisAnswers(port);
  }

  private spawnMember(role: Member["role"], port: number, args: string[]): void {
    const child = spawn(findRedisServer(), args, { stdio: ["ignore", "pipe", "pipe"] });
    const log = createWriteStream(join(this.dir, `${role}-${port}.log`));
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.members.push({ role, port, child });
  }

  private async untilReplicaInSync(masterPort: number): Promise<void> {
    const client = new Redis({ port: masterPort, host: "127.0.0.1" });
    try {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const info = await client.info("replication");
        if (/slave0:.*state=online/.test(info)) return;
        await sleep(100);
      }
      throw new Error(`the replica did not sync with the master within 15s (logs in ${this.dir})`);
    } finally {
      client.disconnect();
    }
  }
}

/** Waits until a redis-server (or Sentinel) on 127.0.0.1:`port` answers PING, 15 s at most. */
export async function untilRedisAnswers(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
    client.on("error", () => undefined); // not listening yet: the loop tries again
    try {
      await client.connect();
      if ((await client.ping()) === "PONG") return;
    } catch {
      // not listening yet
    } finally {
      client.disconnect();
    }
    await sleep(100);
  }
  throw new Error(`redis-server on port ${port} did not answer within 15s`);
}
