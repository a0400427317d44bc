import { rm } from "node:fs/promises";
import { LocalControlPlane, type ControlPlaneStatus } from "./control-plane.js";
import { SharedEtcd } from "./shared-etcd.js";

export interface HostedControlPlaneOptions {
  /** Used in certificate names and log lines. */
  name: string;
  /** This control plane's folder: PKI, logs, kubeconfigs, state.json (no etcd data: that is shared). */
  dataDir: string;
  /** The shared etcd's folder, one per machine's state folder. */
  sharedEtcdDir: string;
  /** Its keys in the shared etcd (the API server's --etcd-prefix): unique per cluster, no trailing "/". */
  etcdPrefix: string;
  binDir: string;
  serviceNetwork?: string;
  clusterNetwork?: string;
  extraDnsNames?: readonly string[];
  readyTimeoutMs?: number;
}

/**
 * A hosted control plane on this machine: kube-apiserver, kube-controller-manager and kube-scheduler processes
 * with their own PKI, storing their objects in the machine's shared etcd under their own prefix. Hibernation
 * stops the three processes and keeps the keys; destroy removes the keys, the folder, and (for the last one) the
 * shared etcd.
 */
export class HostedControlPlane {
  private readonly etcd: SharedEtcd;
  private readonly cp: LocalControlPlane;

  constructor(private readonly opts: HostedControlPlaneOptions) {
    this.etcd = new SharedEtcd({ dir: opts.sharedEtcdDir, binDir: opts.binDir });
    this.cp = this.controlPlane("");
  }

  get kubeconfigPath(): string {
    return this.cp.kubeconfigPath;
  }

  async start(mode: { signal?: AbortSignal } = {}) {
    // The PKI (a dozen openssl runs on a first start) does not need the etcd: made while it starts. Both settle
    // before a failure is thrown, so a failed create's cleanup never races openssl writing into the folder.
    const [joined, pki] = await Promise.allSettled([
      this.etcd.join(this.opts.etcdPrefix, mode.signal),
      this.cp.ensurePki(),
    ]);
    if (joined.status === "rejected") throw joined.reason;
    if (pki.status === "rejected") throw pki.reason;
    const url = joined.value;
    // Processes started against an etcd at another URL (it restarted on another port) restart with the new one.
    return this.controlPlane(url).start({ detached: true, signal: mode.signal });
  }

  /** Stops the processes and keeps the keys; the shared etcd stops too when no other control plane runs. */
  async stop(): Promise<void> {
    await this.cp.stop();
    await this.etcd.hibernate(this.opts.etcdPrefix);
  }

  /** Stops the processes, deletes the keys under its prefix and the folder. */
  async destroy(): Promise<void> {
    await this.cp.stop();
    await this.etcd.leave(this.opts.etcdPrefix, `${this.opts.etcdPrefix}/`);
    await rm(this.opts.dataDir, { recursive: true, force: true });
  }

  /** Running: its three processes and the shared etcd live. */
  async status(): Promise<ControlPlaneStatus & { etcdURL?: string }> {
    const status = await this.cp.status();
    const etcdURL = await this.etcd.url();
    return { ...status, running: status.running && etcdURL !== undefined, etcdURL };
  }

  /** Keys it holds in the shared etcd (0 once destroyed, or when the etcd does not run). */
  keyCount(): Promise<number> {
    return this.etcd.countKeys(`${this.opts.etcdPrefix}/`);
  }

  private controlPlane(etcdURL: string): LocalControlPlane {
    const o = this.opts;
    return new LocalControlPlane({
      name: o.name,
      dataDir: o.dataDir,
      binDir: o.binDir,
      controllerManager: true,
      scheduler: true,
      externalEtcd: { url: etcdURL, prefix: o.etcdPrefix },
      serviceNetwork: o.serviceNetwork,
      clusterNetwork: o.clusterNetwork,
      extraDnsNames: o.extraDnsNames,
      readyTimeoutMs: o.readyTimeoutMs,
    });
  }
}
