import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Files of a control plane's PKI, all under one folder. */
export interface PkiPaths {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  adminCert: string;
  adminKey: string;
  controllerManagerCert: string;
  controllerManagerKey: string;
  schedulerCert: string;
  schedulerKey: string;
}

export function pkiPaths(dir: string): PkiPaths {
  return {
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    servingCert: join(dir, "apiserver.crt"),
    servingKey: join(dir, "apiserver.key"),
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
    adminCert: join(dir, "admin.crt"),
    adminKey: join(dir, "admin.key"),
    controllerManagerCert: join(dir, "controller-manager.crt"),
    controllerManagerKey: join(dir, "controller-manager.key"),
    schedulerCert: join(dir, "scheduler.crt"),
    schedulerKey: join(dir, "scheduler.key"),
  };
}

/**
 * Creates a CA, the API server's serving certificate (loopback names, plus `extraDnsNames` and
 * `extraIpAddresses`), the service-account signing key pair and client certificates for the admin
 * (system:masters), kube-controller-manager and kube-scheduler. Existing files are kept, so a restarted control
 * plane keeps trusting the kubeconfigs it handed out; a PKI made before the scheduler's certificate existed gets
 * that one added.
 */
export async function ensurePki(
  dir: string,
  clusterName: string,
  opts: { extraDnsNames?: readonly string[]; extraIpAddresses?: readonly string[] } = {},
): Promise<PkiPaths> {
  const p = pkiPaths(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const extraNames = [
    ...(opts.extraDnsNames ?? []).map((name) => `DNS:${name}`),
    ...(opts.extraIpAddresses ?? []).map((ip) => `IP:${ip}`),
  ];
  if (!existsSync(p.controllerManagerCert)) await createPki(dir, p, clusterName, extraNames);
  if (!existsSync(p.schedulerCert))
    await issue(dir, p, "scheduler", "/CN=system:kube-scheduler", ["extendedKeyUsage=clientAuth"]);
  return p;
}

async function createPki(
  dir: string,
  p: PkiPaths,
  clusterName: string,
  extraNames: readonly string[],
): Promise<void> {
  const openssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  await openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p.caKey);
  await openssl(
    "req",
    "-x509",
    "-new",
    "-key",
    p.caKey,
    "-sha256",
    "-days",
    "3650",
    "-subj",
    `/CN=${clusterName}-ca`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    "-out",
    p.caCert,
  );
  await issue(dir, p, "apiserver", `/CN=${clusterName}-apiserver`, [
    "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1" +
      extraNames.map((name) => `,${name}`).join(""),
    "extendedKeyUsage=serverAuth",
  ]);
  await issue(dir, p, "admin", "/O=system:masters/CN=slipway-admin", ["extendedKeyUsage=clientAuth"]);
  await issue(dir, p, "controller-manager", "/CN=system:kube-controller-manager", [
    "extendedKeyUsage=clientAuth",
  ]);
  await run("openssl", [
    "genpkey",
    "-algorithm",
    "RSA",
    "-pkeyopt",
    "rsa_keygen_bits:2048",
    "-out",
    p.serviceAccountKey,
  ]);
  await run("openssl", ["pkey", "-in", p.serviceAccountKey, "-pubout", "-out", p.serviceAccountPub]);
}

async function issue(
  dir: string,
  p: PkiPaths,
  name: string,
  subject: string,
  extensions: string[],
): Promise<void> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(
    ext,
    ["keyUsage=critical,digitalSignature,keyEncipherment", ...extensions].join("\n") + "\n",
  );
  await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
  await run("openssl", ["req", "-new", "-key", key, "-subj", subject, "-out", csr]);
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    p.caCert,
    "-CAkey",
    p.caKey,
    "-CAcreateserial",
    "-days",
    "3650",
    "-sha256",
    "-extfile",
    ext,
    "-out",
    join(dir, `${name}.crt`),
  ]);
}
