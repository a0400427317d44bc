import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createConnection } from "node:net";
import {
  freePort,
  isAlive,
  startProcess,
  stopProcess,
  tail,
  type RecordedProcess,
} from "../local/processes.js";

const REDIS_SERVER_CANDIDATES = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

export function findRedisServer(): string {
  const found = REDIS_SERVER_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      "redis-server is missing: install Debian's package (`apt-get install -y redis-server`) or set REDIS_URL",
    );
  }
  return found;
}

interface RedisState {
  port: number;
  process?: RecordedProcess;
}

/** Debian's redis-server on a free loopback port, data (RDB + AOF) in its own folder. */
export class LocalRedis {
  private readonly statePath: string;

  constructor(private readonly dataDir: string) {
    this.statePath = join(dataDir, "state.json");
  }

  async start(mode: { detached: boolean }): Promise<string> {
    await mkdir(this.dataDir, { recursive: true });
    const previous = await this.readState();
    if (previous?.process && isAlive(previous.process)) return this.url(previous.port);
    const port = await freePort(previous?.port);
    const { record } = startProcess({
      name: "redis-server",
      command: findRedisServer(),
      args: [
        "--bind",
        "127.0.0.1",
        "--port",
        String(port),
        "--dir",
        this.dataDir,
        "--appendonly",
        "yes",
        "--save",
        "60 1",
        "--daemonize",
        "no",
        "--protected-mode",
        "yes",
        "--logfile",
        "",
      ],
      logFile: join(this.dataDir, "redis.log"),
      marker: String(port), // in the arguments and in the title redis-server gives itself
      detached: mode.detached,
    });
    await writeFile(this.statePath, JSON.stringify({ port, process: record } satisfies RedisState));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (await ping(port)) return this.url(port);
      if (!isAlive(record)) throw new Error(`redis-server exited while starting:\n${tail(record.logFile)}`);
      await sleep(100);
    }
    throw new Error(`redis-server did not answer on 127.0.0.1:${port} within 15s`);
  }

  async stop(): Promise<void> {
    const state = await this.readState();
    if (state?.process) await stopProcess(state.process);
  }

  async status(): Promise<{ url?: string; pid?: number; alive: boolean }> {
    const state = await this.readState();
    if (!state?.process) return { alive: false };
    return { url: this.url(state.port), pid: state.process.pid, alive: isAlive(state.process) };
  }

  private url(port: number): string {
    return `redis://127.0.0.1:${port}`;
  }

  private async readState(): Promise<RedisState | undefined> {
    if (!existsSync(this.statePath)) return undefined;
    return JSON.parse(await readFile(this.statePath, "utf8")) as RedisState;
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
    socket.setTimeout(1000);
    socket.on("data", (d) => {
      resolve(d.toString().startsWith("+PONG"));
      socket.destroy();
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      resolve(false);
      socket.destroy();
    });
  });
}
