import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { renderKubeconfig } from "../../src/api/kubeconfig.js";
import { requestAttributes, type RequestAttributes } from "../../src/runtime/rbac.js";

export interface RecordedRequest extends RequestAttributes {
  /** Whose token sent it, by the name it was registered under (`identify`). */
  identity: string;
  method: string;
  path: string;
  statusCode: number;
}

/**
 * A TLS proxy in front of the test hub's kube-apiserver that records every request a process sends (verb,
 * resource, answer) and passes it on with the process's own bearer token, so the API server authorizes each
 * request as that ServiceAccount. Watches stream through. What the chart's RBAC must allow is then what the
 * processes asked for, not what we think they ask for.
 */
export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  private readonly identities = new Map<string, string>();
  private readonly dir = mkdtempSync(join(tmpdir(), "slipway-rbac-proxy-"));
  private server?: https.Server;
  private url?: string;
  /** The proxy's serving certificate, its own CA: what a kubeconfig trusts it by. */
  readonly certPem: string;
  private readonly keyPem: string;

  constructor(private readonly upstream: KubeConfig) {
    const key = join(this.dir, "tls.key");
    const cert = join(this.dir, "tls.crt");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        .concat(["-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=slipway-rbac-proxy"])
        .concat(["-addext", "subjectAltName=IP:127.0.0.1"]),
      { stdio: "ignore" },
    );
    this.keyPem = readFileSync(key, "utf8");
    this.certPem = readFileSync(cert, "utf8");
  }

  /** Requests carrying this token are recorded as `identity`'s. */
  identify(token: string, identity: string): void {
    this.identities.set(token, identity);
  }

  async start(): Promise<void> {
    const cluster = this.upstream.getCurrentCluster()!;
    const target = new URL(cluster.server);
    const ca = cluster.caData
      ? Buffer.from(cluster.caData, "base64")
      : cluster.caFile
        ? readFileSync(cluster.caFile)
        : undefined;
    const agent = new https.Agent({ ca, keepAlive: true });
    const server = https.createServer({ key: this.keyPem, cert: this.certPem }, (req, res) => {
      const url = new URL(req.url ?? "/", "https://proxy");
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
      const identity = this.identities.get(token) ?? "anonymous";
      const upstreamReq = https.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          agent,
        },
        (upstreamRes) => {
          const attributes = requestAttributes(req.method ?? "GET", url.pathname, url.searchParams);
          if (attributes)
            this.requests.push({
              ...attributes,
              identity,
              method: req.method ?? "GET",
              path: url.pathname,
              statusCode: upstreamRes.statusCode ?? 0,
            });
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          // A watch's headers go out now: Node holds them until the first body byte, which may be minutes away.
          res.flushHeaders();
          upstreamRes.pipe(res);
        },
      );
      upstreamReq.on("error", (error) => {
        if (!res.headersSent) res.writeHead(502, { "Content-Type": "text/plain" });
        res.end(String(error));
      });
      // A watch the client gives up ends the upstream one too.
      res.on("close", () => upstreamReq.destroy());
      req.pipe(upstreamReq);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  get serverUrl(): string {
    if (!this.url) throw new Error("start the proxy first");
    return this.url;
  }

  /** A kubeconfig that reaches the hub through this proxy with `token`. */
  kubeconfig(token: string): string {
    if (!this.url) throw new Error("start the proxy first");
    return renderKubeconfig({
      cluster: "hub",
      server: this.url,
      caData: Buffer.from(this.certPem).toString("base64"),
      user: "service-account",
      context: "hub",
      credentials: { token },
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
