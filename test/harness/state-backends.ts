import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { repoRoot, toolsBinDir } from "../../src/runtime/paths.js";

/**
 * The emulators of the object stores a production hub keeps Pulumi state in, on 127.0.0.1: moto (S3 and KMS),
 * fake-gcs-server (GCS) and Azurite (Azure Blob). tools/build.sh `test` builds the first two, `npm install` brings
 * Azurite. Each is one process with a bucket made for the tests; what a worker needs to reach it is a backend
 * URL and environment variables, exactly as a worker on a real hub would get them (docs/operations.md).
 */
export type BackendName = "s3" | "gcs" | "azblob";

export interface StateBackend {
  name: BackendName;
  /** SLIPWAY_PULUMI_BACKEND_URL for this emulator's bucket. */
  backendUrl: string;
  /** The process environment a worker needs for it (credentials and emulator address). */
  env: Record<string, string>;
  port: number;
  /** The raw bytes of an object in the bucket, or undefined when there is none. */
  readObject(key: string): Promise<string | undefined>;
  /** The keys of the bucket's objects under a prefix. */
  listKeys(prefix: string): Promise<string[]>;
  /** Stops the emulator (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data (fake-gcs-server and Azurite keep it on disk). */
  start(): Promise<void>;
}

/** Azurite's well-known development account; not a secret, but it never reaches a log either. */
const AZURITE_ACCOUNT = "devstoreaccount1";
const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** moto reads the account and region from the credential scope and checks no signature. */
const MOTO_AUTHORIZATION = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=moto/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function requireTool(name: string): string {
  const path = join(toolsBinDir, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`bash tools/build.sh test\``);
  return path;
}

/** One emulator process, restartable on its port; ready once `ready` answers. */
class Emulator {
  private child?: ChildProcess;
  private output = "";

  constructor(
    private readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly ready: () => Promise<boolean>,
  ) {}

  async start(): Promise<void> {
    this.output = "";
    const child = spawn(this.command, this.args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout!.on("data", (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    child.stderr!.on("data", (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      if (await this.ready().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGKILL");
    throw new Error(`${this.name} did not start:\n${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

async function answers(url: string): Promise<boolean> {
  await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return true;
}

async function expectOk(response: Response, what: string): Promise<void> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
}

/** S3 on moto's server (in memory: a restart loses the bucket). Its KMS answers on the same port. */
export async function startS3(bucket = "slipway-state"): Promise<StateBackend> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const emulator = new Emulator(
    "moto",
    requireTool("moto-server"),
    ["-H", "127.0.0.1", "-p", String(port)],
    () => answers(`${base}/moto-api/`),
  );
  await emulator.start();
  await expectOk(await fetch(`${base}/${bucket}`, { method: "PUT" }), "creating the S3 bucket");
  return {
    name: "s3",
    port,
    backendUrl: `s3://${bucket}?endpoint=127.0.0.1:${port}&disableSSL=true&s3ForcePathStyle=true`,
    env: { AWS_ACCESS_KEY_ID: "moto", AWS_SECRET_ACCESS_KEY: "moto-secret", AWS_REGION: "us-east-1" },
    readObject: async (key) => {
      // Objects are private: moto wants an AWS authorization header, whose signature it does not check.
      const r = await fetch(`${base}/${bucket}/${key}`, {
        headers: { Authorization: MOTO_AUTHORIZATION("s3") },
      });
      return r.ok ? r.text() : undefined;
    },
    listKeys: async (prefix) => {
      const r = await fetch(`${base}/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`, {
        headers: { Authorization: MOTO_AUTHORIZATION("s3") },
      });
      await expectOk(r, "listing the S3 bucket");
      return xmlValues(await r.text(), "Key");
    },
    stop: () => emulator.stop(),
    start: () => emulator.start(),
  };
}

function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => m[1]!);
}

/** A key in moto's KMS for the awskms:// secrets provider: its SLIPWAY_PULUMI_SECRETS_PROVIDER URL. */
export async function createKmsKey(s3: StateBackend): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${s3.port}/`, {
    method: "POST",
    headers: {
      "X-Amz-Target": "TrentService.CreateKey",
      "Content-Type": "application/x-amz-json-1.1",
      Authorization: MOTO_AUTHORIZATION("kms"),
    },
    body: "{}",
  });
  await expectOk(response, "creating the KMS key");
  const { KeyMetadata } = (await response.json()) as { KeyMetadata: { KeyId: string } };
  return `awskms://${KeyMetadata.KeyId}?region=us-east-1&endpoint=http://127.0.0.1:${s3.port}`;
}

/** GCS on fake-gcs-server, data on disk under `dataDir` so a restart keeps it. */
export async function startGcs(dataDir: string, bucket = "slipway-state"): Promise<StateBackend> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await mkdir(dataDir, { recursive: true });
  // -public-host: the Go client reads objects at http://<host>/<bucket>/<object>, which the server only routes
  // for its public host.
  const emulator = new Emulator(
    "fake-gcs-server",
    requireTool("fake-gcs-server"),
    [
      ...[
        "-host",
        "127.0.0.1",
        "-port",
        String(port),
        "-scheme",
        "http",
        "-public-host",
        `127.0.0.1:${port}`,
      ],
      ...["-backend", "filesystem", "-filesystem-root", dataDir, "-log-level", "warn"],
    ],
    () => answers(`${base}/storage/v1/b`),
  );
  await emulator.start();
  await expectOk(
    await fetch(`${base}/storage/v1/b`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: bucket }),
    }),
    "creating the GCS bucket",
  );
  return {
    name: "gcs",
    port,
    backendUrl: `gs://${bucket}`,
    // The CLI wants some Google credential before it opens a bucket; the emulator ignores it.
    env: { STORAGE_EMULATOR_HOST: `127.0.0.1:${port}`, GOOGLE_OAUTH_ACCESS_TOKEN: "emulator" },
    readObject: async (key) => {
      const r = await fetch(`${base}/storage/v1/b/${bucket}/o/${encodeURIComponent(key)}?alt=media`);
      return r.ok ? r.text() : undefined;
    },
    listKeys: async (prefix) => {
      const r = await fetch(`${base}/storage/v1/b/${bucket}/o?prefix=${encodeURIComponent(prefix)}`);
      await expectOk(r, "listing the GCS bucket");
      return ((await r.json()) as { items?: { name: string }[] }).items?.map((i) => i.name) ?? [];
    },
    stop: () => emulator.stop(),
    start: () => emulator.start(),
  };
}

/** Azure Blob on Azurite, data on disk under `dataDir`, the development account's shared key. */
export async function startAzureBlob(dataDir: string, container = "slipway-state"): Promise<StateBackend> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  await mkdir(dataDir, { recursive: true });
  const emulator = new Emulator(
    "azurite",
    process.execPath,
    [
      join(repoRoot, "node_modules", "azurite", "dist", "src", "blob", "main.js"),
      ...["--blobHost", "127.0.0.1", "--blobPort", String(port), "--location", dataDir],
      ...["--silent", "--skipApiVersionCheck", "--disableTelemetry"],
    ],
    () => answers(`${base}?comp=list`),
  );
  await emulator.start();
  await expectOk(await azuriteRequest(port, "PUT", container, "restype=container"), "creating the container");
  return {
    name: "azblob",
    port,
    backendUrl: `azblob://${container}?localemu=true&protocol=http&domain=127.0.0.1:${port}`,
    env: { AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT, AZURE_STORAGE_KEY: AZURITE_KEY },
    readObject: async (key) => {
      const r = await azuriteRequest(port, "GET", `${container}/${key}`);
      return r.ok ? r.text() : undefined;
    },
    listKeys: async (prefix) => {
      const r = await azuriteRequest(port, "GET", container, `comp=list&prefix=${prefix}&restype=container`);
      await expectOk(r, "listing the container");
      return xmlValues(await r.text(), "Name");
    },
    stop: () => emulator.stop(),
    start: () => emulator.start(),
  };
}

/** A request signed with the development account's shared key (Blob service, path-style emulator URL). */
function azuriteRequest(port: number, method: string, path: string, query = ""): Promise<Response> {
  const date = new Date().toUTCString();
  const version = "2021-12-02";
  const params = query
    .split("&")
    .filter(Boolean)
    .map((p) => p.replace("=", ":"))
    .sort();
  const resource = [`/${AZURITE_ACCOUNT}/${AZURITE_ACCOUNT}/${path}`, ...params].join("\n");
  const headers = `x-ms-date:${date}\nx-ms-version:${version}`;
  const toSign = [method, "", "", "", "", "", "", "", "", "", "", "", headers, resource].join("\n");
  const signature = createHmac("sha256", Buffer.from(AZURITE_KEY, "base64"))
    .update(toSign, "utf8")
    .digest("base64");
  return fetch(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}/${path}${query ? `?${query}` : ""}`, {
    method,
    headers: {
      "x-ms-date": date,
      "x-ms-version": version,
      Authorization: `SharedKey ${AZURITE_ACCOUNT}:${signature}`,
    },
  });
}

/** The stack's checkpoint in a backend records a create still pending (the CLI wrote it before the provider ran). */
export async function backendHasPendingCreate(backend: StateBackend, stackName: string): Promise<boolean> {
  const raw = await backend.readObject(`.pulumi/stacks/slipway/${stackName}.json`).catch(() => undefined);
  if (!raw) return false;
  try {
    const checkpoint = JSON.parse(raw) as {
      checkpoint?: { latest?: { pending_operations?: { type?: string }[] } };
    };
    return (checkpoint.checkpoint?.latest?.pending_operations ?? []).some((op) => op.type === "creating");
  } catch {
    return false;
  }
}
