import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { renderKubeconfig } from "../api/kubeconfig.js";
import { ensurePki, type PkiPaths } from "./pki.js";
import { freePort, isAlive, startProcess, stopProcess, tail, type RecordedProcess } from "./processes.js";

export interface ControlPlaneOptions {
  /** Used in certificate names and log lines. */
  name: string;
  /** Holds PKI, etcd data, logs, kubeconfigs and state.json. */
  dataDir: string;
  /** Folder with etcd, kube-apiserver and kube-controller-manager (tools/bin). */
  binDir: string;
  /** kube-controller-manager gives namespace deletion, garbage collection and CSR signing. */
  controllerManager?: boolean;
  /** kube-scheduler binds pods to nodes (hosted control planes: NodePool autoscaling reads its verdicts). */
  scheduler?: boolean;
  /**
   * An etcd someone else runs (the hosted control planes' shared one): no etcd of its own is started, and the
   * API server keeps its keys under `prefix`.
   */
  externalEtcd?: { url: string; prefix: string };
  /** The API server's service network (--service-cluster-ip-range). Default 10.0.0.0/24. */
  serviceNetwork?: string;
  /** The pod network kube-controller-manager is told about (--cluster-cidr). */
  clusterNetwork?: string;
  /** More DNS names in the API server's serving certificate (a hosted cluster's api.<name>.<baseDomain>). */
  extraDnsNames?: readonly string[];
  readyTimeoutMs?: number;
}

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler?: number;
}

interface State {
  ports: Ports;
  processes: RecordedProcess[];
  /** How it was last started, so `LocalControlPlane.recorded` can start it again. */
  options?: Omit<ControlPlaneOptions, "dataDir" | "binDir" | "readyTimeoutMs">;
  /** The external etcd the processes were started against, when they were. */
  etcdURL?: string;
}

export interface ControlPlaneStatus {
  name: string;
  apiURL?: string;
  kubeconfig: string;
  processes: { name: string; pid: number; alive: boolean; logFile: string }[];
  /** Every process recorded is alive. */
  running: boolean;
}

/**
 * A real Kubernetes control plane on this machine: etcd, kube-apiserver and (optionally)
 * kube-controller-manager, each on a free loopback port, with its own PKI and data folder. Used for the dev hub
 * and for clusters of the `local` platform. Start is idempotent: live processes are kept, dead ones restarted,
 * data and certificates reused.
 */
export class LocalControlPlane {
  readonly kubeconfigPath: string;
  private readonly statePath: string;
  private readonly pkiDir: string;

  /** The control plane whose state.json is in dataDir, with the options it was last started with. */
  static async recorded(dataDir: string, binDir: string): Promise<LocalControlPlane | undefined> {
    const statePath = join(dataDir, "state.json");
    if (!existsSync(statePath)) return undefined;
    const state = JSON.parse(await readFile(statePath, "utf8")) as State;
    if (!state.options) return undefined;
    return new LocalControlPlane({ ...state.options, dataDir, binDir });
  }

  constructor(private readonly opts: ControlPlaneOptions) {
    this.kubeconfigPath = join(opts.dataDir, "admin.kubeconfig");
    this.statePath = join(opts.dataDir, "state.json");
    this.pkiDir = join(opts.dataDir, "pki");
  }

  /**
   * Starts what is not running. `signal` ends a start early (the processes it launched keep running: the caller
   * stops them, as a failed create destroys what it started).
   */
  async start(mode: {
    detached: boolean;
    signal?: AbortSignal;
  }): Promise<{ apiURL: string; caData: string; kubeconfig: string }> {
    const { dataDir, binDir, name } = this.opts;
    await mkdir(join(dataDir, "logs"), { recursive: true });
    const pki = await this.ensurePki();
    const previous = await this.readState();
    const etcdURL = this.opts.externalEtcd?.url;
    if (
      previous &&
      previous.processes.length > 0 &&
      previous.processes.every(isAlive) &&
      previous.etcdURL === etcdURL
    ) {
      return this.endpoints(previous.ports.apiserver, pki);
    }
    if (previous) await this.stopRecorded(previous.processes); // a partial set: restart all, keep data
    const ports = await this.choosePorts(previous?.ports);
    const processes: RecordedProcess[] = [];
    const { dataDir: _d, binDir: _b, readyTimeoutMs: _r, ...options } = this.opts;
    const save = () => this.writeState({ ports, processes, options, ...(etcdURL ? { etcdURL } : {}) });
    const launch = (prog: string, args: string[]) => {
      const { record } = startProcess({
        name: prog,
        command: join(binDir, prog),
        args,
        logFile: join(dataDir, "logs", `${prog}.log`),
        marker: dataDir,
        detached: mode.detached,
      });
      processes.push(record);
      return record;
    };

    if (!this.opts.externalEtcd) {
      const etcd = launch("etcd", this.etcdArgs(ports));
      await save();
      await this.waitFor(
        etcd,
        () => httpOk(`http://127.0.0.1:${ports.etcdClient}/health`),
        "etcd",
        mode.signal,
      );
    }
    const apiserver = launch("kube-apiserver", this.apiserverArgs(ports, pki));
    await save();
    const url = `https://127.0.0.1:${ports.apiserver}`;
    await this.waitFor(apiserver, await readyzProbe(url, pki), "kube-apiserver", mode.signal);
    const endpoints = await this.endpoints(ports.apiserver, pki);
    if (this.opts.controllerManager !== false) {
      await writeFile(
        join(dataDir, "controller-manager.kubeconfig"),
        await kubeconfigFor(name, url, pki, pki.controllerManagerCert, pki.controllerManagerKey),
        { mode: 0o600 },
      );
      launch("kube-controller-manager", this.controllerManagerArgs(ports, pki));
      await save();
    }
    if (this.opts.scheduler) {
      await writeFile(
        join(dataDir, "scheduler.kubeconfig"),
        await kubeconfigFor(name, url, pki, pki.schedulerCert, pki.schedulerKey),
        { mode: 0o600 },
      );
      launch("kube-scheduler", this.schedulerArgs(ports));
      await save();
    }
    return endpoints;
  }

  /**
   * Creates the certificates and keys a start needs, keeping existing ones (start does it too). A hosted control
   * plane makes them while the shared etcd starts, which they do not depend on.
   */
  ensurePki(): Promise<PkiPaths> {
    return ensurePki(this.pkiDir, this.opts.name, { extraDnsNames: this.opts.extraDnsNames });
  }

  /** Stops every process and keeps the data, so a later start resumes the same cluster. */
  async stop(): Promise<void> {
    const state = await this.readState();
    if (state) await this.stopRecorded(state.processes);
    if (state) await this.writeState({ ...state, processes: [] });
  }

  /** Stops every process and removes the data folder. */
  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.opts.dataDir, { recursive: true, force: true });
  }

  async status(): Promise<ControlPlaneStatus> {
    const state = await this.readState();
    const processes = (state?.processes ?? []).map((p) => ({
      name: p.name,
      pid: p.pid,
      alive: isAlive(p),
      logFile: p.logFile,
    }));
    return {
      name: this.opts.name,
      apiURL: state ? `https://127.0.0.1:${state.ports.apiserver}` : undefined,
      kubeconfig: this.kubeconfigPath,
      processes,
      running: processes.length > 0 && processes.every((p) => p.alive),
    };
  }

  private async endpoints(port: number, pki: PkiPaths) {
    const apiURL = `https://127.0.0.1:${port}`;
    const ca = await readFile(pki.caCert, "utf8");
    const kubeconfig = await kubeconfigFor(this.opts.name, apiURL, pki, pki.adminCert, pki.adminKey);
    await writeFile(this.kubeconfigPath, kubeconfig, { mode: 0o600 });
    return { apiURL, caData: Buffer.from(ca).toString("base64"), kubeconfig };
  }

  private async waitFor(
    p: RecordedProcess,
    ready: () => Promise<boolean>,
    what: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 90_000);
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      if (await ready()) return;
      if (!isAlive(p)) {
        throw new Error(
          `${what} of ${this.opts.name} exited while starting; last log lines:\n${tail(p.logFile)}`,
        );
      }
      // A probe is one loopback request; at 200 ms a start waited 100 ms on average past readiness.
      await sleep(READY_POLL_MS);
    }
    throw new Error(
      `${what} of ${this.opts.name} was not ready within ${(this.opts.readyTimeoutMs ?? 90_000) / 1000}s; see ${p.logFile}`,
    );
  }

  private async choosePorts(previous?: Ports): Promise<Ports> {
    const taken = new Set<number>();
    const pick = async (preferred?: number) => {
      for (;;) {
        const port = await freePort(preferred);
        preferred = undefined;
        if (!taken.has(port)) {
          taken.add(port);
          return port;
        }
      }
    };
    return {
      etcdClient: await pick(previous?.etcdClient),
      etcdPeer: await pick(previous?.etcdPeer),
      apiserver: await pick(previous?.apiserver),
      controllerManager: await pick(previous?.controllerManager),
      scheduler: await pick(previous?.scheduler),
    };
  }

  private etcdArgs(ports: Ports): string[] {
    const client = `http://127.0.0.1:${ports.etcdClient}`;
    const peer = `http://127.0.0.1:${ports.etcdPeer}`;
    return [
      "--name=default",
      `--data-dir=${join(this.opts.dataDir, "etcd")}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      "--log-level=warn",
      "--quota-backend-bytes=2147483648",
    ];
  }

  private apiserverArgs(ports: Ports, pki: PkiPaths): string[] {
    return [
      `--etcd-servers=${this.opts.externalEtcd?.url ?? `http://127.0.0.1:${ports.etcdClient}`}`,
      ...(this.opts.externalEtcd ? [`--etcd-prefix=${this.opts.externalEtcd.prefix}`] : []),
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${ports.apiserver}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--service-account-issuer=https://kubernetes.default.svc`,
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${this.opts.serviceNetwork ?? "10.0.0.0/24"}`,
      "--authorization-mode=RBAC",
      "--profiling=false",
      // No kubelet here: nothing dials nodes, and the endpoint reconciler must not advertise a pod network.
      "--endpoint-reconciler-type=none",
      // On SIGTERM, open watches (an agent's, a controller's informers) are closed after 1 s. Without it the API
      // server waits for them to end by themselves, which they never do, until stop() SIGKILLs it after its 10 s
      // grace: every hibernate, delete or dev down of a cluster somebody watched took 10 s more.
      "--shutdown-watch-termination-grace-period=1s",
      "--v=0",
    ];
  }

  private controllerManagerArgs(ports: Ports, pki: PkiPaths): string[] {
    return [
      `--kubeconfig=${join(this.opts.dataDir, "controller-manager.kubeconfig")}`,
      `--authentication-kubeconfig=${join(this.opts.dataDir, "controller-manager.kubeconfig")}`,
      `--authorization-kubeconfig=${join(this.opts.dataDir, "controller-manager.kubeconfig")}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${ports.controllerManager}`,
      "--leader-elect=false",
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      "--use-service-account-credentials=true",
      ...(this.opts.clusterNetwork ? [`--cluster-cidr=${this.opts.clusterNetwork}`] : []),
      "--profiling=false",
      "--v=0",
    ];
  }

  private schedulerArgs(ports: Ports): string[] {
    const kubeconfig = join(this.opts.dataDir, "scheduler.kubeconfig");
    return [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${ports.scheduler}`,
      "--leader-elect=false",
      "--profiling=false",
      "--v=0",
    ];
  }

  private async stopRecorded(processes: RecordedProcess[]): Promise<void> {
    // Reverse start order: the controller manager and API server go before their storage.
    for (const p of [...processes].reverse()) await stopProcess(p);
  }

  private async readState(): Promise<State | undefined> {
    if (!existsSync(this.statePath)) return undefined;
    return JSON.parse(await readFile(this.statePath, "utf8")) as State;
  }

  private async writeState(state: State): Promise<void> {
    await writeFile(this.statePath, JSON.stringify(state, null, 2));
  }
}

async function kubeconfigFor(name: string, server: string, pki: PkiPaths, certPath: string, keyPath: string) {
  const [caPem, certPem, keyPem] = await Promise.all([
    readFile(pki.caCert, "utf8"),
    readFile(certPath, "utf8"),
    readFile(keyPath, "utf8"),
  ]);
  return kubeconfigYaml({ name, server, caPem, certPem, keyPem });
}

/** A self-contained kubeconfig (certificates embedded) for one user of one cluster. */
export function kubeconfigYaml(c: {
  name: string;
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return renderKubeconfig({
    cluster: c.name,
    server: c.server,
    caData: b64(c.caPem),
    user: `${c.name}-admin`,
    credentials: { clientCertificateData: b64(c.certPem), clientKeyData: b64(c.keyPem) },
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

const READY_POLL_MS = 50;

/** Asks the API server's /readyz as the admin; the certificates are read once, not at every probe. */
async function readyzProbe(apiURL: string, pki: PkiPaths): Promise<() => Promise<boolean>> {
  const [ca, cert, key] = await Promise.all([
    readFile(pki.caCert),
    readFile(pki.adminCert),
    readFile(pki.adminKey),
  ]);
  return () => readyz(apiURL, { ca, cert, key });
}

function readyz(
  apiURL: string,
  { ca, cert, key }: { ca: Buffer; cert: Buffer; key: Buffer },
): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${apiURL}/readyz`, { ca, cert, key, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
