import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { toolsBinDir } from "../runtime/paths.js";

/**
 * govmomi's vcsim (tools/build.sh `test`) on a free loopback port with its default inventory: datacenter DC0,
 * cluster DC0_C0 (3 hosts) with VMs DC0_C0_RP0_VM0/1, standalone host DC0_H0 with DC0_H0_VM0/1, datastore
 * LocalDS_0, port group "VM Network". It serves TLS with a certificate made for the test (openssl, CN and SAN
 * 127.0.0.1), so a client trusts it through `caPem` as it would a vCenter's CA, and verification is never off.
 */
export interface Vcsim {
  /** `https://127.0.0.1:<port>/sdk`. */
  url: string;
  username: string;
  password: string;
  /** The PEM a client trusts to reach it. */
  caPem: string;
  /** A PEM of another self-signed certificate: a CA that does not match. */
  otherCaPem: string;
  /** The served certificate and key files (for a proxy that stands in front of it). */
  tls: { cert: string; key: string };
  stop(): Promise<void>;
}

const run = promisify(execFile);

async function selfSigned(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  return { cert, key };
}

export async function startVcsim({
  username = "slipway",
  password = "vcsim-test-password",
  extraArgs = [] as string[],
} = {}): Promise<Vcsim> {
  const binary = join(toolsBinDir, "vcsim");
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`bash tools/build.sh test\``);
  const dir = await mkdtemp(join(tmpdir(), "slipway-vcsim-"));
  const [served, other] = await Promise.all([selfSigned(dir, "vcsim"), selfSigned(dir, "other")]);
  // Port 0: vcsim picks a free port and prints it (`export GOVC_URL=...`), so no other process can take it first.
  const child: ChildProcess = spawn(
    binary,
    [
      "-l",
      "127.0.0.1:0",
      "-username",
      username,
      "-password",
      password,
      "-tlscert",
      served.cert,
      "-tlskey",
      served.key,
      ...extraArgs,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vcsim did not start in 20 s:\n${output}`)), 20_000);
    const onData = (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
      const match = /GOVC_URL=\S*@127\.0\.0\.1:(\d+)\/sdk/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`vcsim exited (${code}):\n${output}`));
    });
  });
  const [caPem, otherCaPem] = await Promise.all([
    readFile(served.cert, "utf8"),
    readFile(other.cert, "utf8"),
  ]);
  return {
    url: `https://127.0.0.1:${port}/sdk`,
    username,
    password,
    caPem,
    otherCaPem,
    tls: { cert: await readFile(served.cert, "utf8"), key: await readFile(served.key, "utf8") },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
