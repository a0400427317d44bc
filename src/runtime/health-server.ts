import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { logger as namedLogger, type Logger } from "./logging.js";
import type { Metrics } from "./metrics.js";

/** A named check: `true` is healthy; a string is a failure message. */
export type HealthCheck = () => boolean | string;

export interface HealthServerOptions {
  host: string;
  /** 0 picks a free port (tests); read it from `start()`'s result. */
  port: number;
  metrics?: Metrics;
  liveness?: Record<string, HealthCheck>;
  readiness?: Record<string, HealthCheck>;
  logger?: Logger;
}

/**
 * Serves /metrics, /healthz (the process works) and /readyz (the process can do its job), the kube-apiserver way:
 * 200 "ok" or 503 listing failed checks, and `?verbose` lists every check.
 */
export class HealthServer {
  private server?: Server;
  private readonly liveness = new Map<string, HealthCheck>();
  private readonly readiness = new Map<string, HealthCheck>();
  private readonly log: Logger;

  constructor(private readonly options: HealthServerOptions) {
    for (const [name, check] of Object.entries(options.liveness ?? {})) this.liveness.set(name, check);
    for (const [name, check] of Object.entries(options.readiness ?? {})) this.readiness.set(name, check);
    this.log = options.logger ?? namedLogger("runtime.health-server");
  }

  addLivenessCheck(name: string, check: HealthCheck): void {
    this.liveness.set(name, check);
  }

  addReadinessCheck(name: string, check: HealthCheck): void {
    this.readiness.set(name, check);
  }

  async start(): Promise<{ host: string; port: number; url: string }> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${this.options.host.includes(":") ? `[${this.options.host}]` : this.options.host}:${port}`;
    this.log.info({ url }, "Serving /metrics, /healthz and /readyz");
    return { host: this.options.host, port, url };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (url.pathname === "/metrics" && this.options.metrics) {
        const body = await this.options.metrics.registry.metrics();
        res.writeHead(200, { "Content-Type": this.options.metrics.registry.contentType });
        res.end(body);
      } else if (url.pathname === "/healthz" || url.pathname === "/livez") {
        this.respondChecks(res, this.liveness, url.searchParams.has("verbose"));
      } else if (url.pathname === "/readyz") {
        this.respondChecks(res, this.readiness, url.searchParams.has("verbose"));
      } else {
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end("not found\n");
      }
    } catch (error) {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  private respondChecks(res: ServerResponse, checks: Map<string, HealthCheck>, verbose: boolean): void {
    const lines: string[] = [];
    let healthy = true;
    for (const [name, check] of checks) {
      let outcome: boolean | string;
      try {
        outcome = check();
      } catch (error) {
        outcome = error instanceof Error ? error.message : String(error);
      }
      if (outcome === true) {
        lines.push(`[+]${name} ok`);
      } else {
        healthy = false;
        lines.push(`[-]${name} failed${typeof outcome === "string" ? `: ${outcome}` : ""}`);
      }
    }
    res.writeHead(healthy ? 200 : 503, { "Content-Type": "text/plain" });
    if (verbose || !healthy) res.end(`${lines.join("\n")}\n${healthy ? "ok" : "not ok"}\n`);
    else res.end("ok\n");
  }
}
