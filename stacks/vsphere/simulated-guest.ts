import { LocalControlPlane } from "../../src/local/control-plane.js";
import type { Vim25Client } from "./vim25/client.js";
import type { MoRef } from "./vim25/soap-codec.js";

/** guestinfo keys a booted control plane guest reports its API through (what user-data.ts tells it to set). */
export const GUEST_API_URL_KEY = "guestinfo.slipway.apiURL";
export const GUEST_CA_DATA_KEY = "guestinfo.slipway.caData";
/** Set by the stand-in beside the endpoint, so anyone reading the VM sees that no real guest answered. */
export const GUEST_KIND_KEY = "guestinfo.slipway.guest";

export interface GuestEndpoints {
  apiURL: string;
  caData: string;
  kubeconfig: string;
}

/**
 * SIMULATED GUEST. vcsim (and a vCenter whose template has no kubeadm) runs no guest OS, so nothing in the VM
 * would run `kubeadm init` and report an API. This stands in for the first control plane VM's guest: when the
 * VM powers on, a real control plane (etcd + kube-apiserver + kube-controller-manager, src/local/control-plane.ts,
 * as the `local` platform runs) starts on the machine that runs the stack, in the stack's data folder
 * (`<stateDir>/vsphere-guests/<stack>`), and its endpoint is reported into the VM's guestinfo through the real
 * vim25 API (ReconfigVM_Task), as the guest would with vmware-rpctool; the provider reads it back from the VM.
 * When the VM powers off the control plane stops (data kept); when the cluster is deleted the folder goes.
 * Workers have no stand-in: they are VMs only. Everything down to the guest is the real vim25 API.
 */
export class SimulatedGuest {
  private readonly controlPlane: LocalControlPlane;

  constructor(opts: { name: string; dataDir: string; binDir: string }) {
    this.controlPlane = new LocalControlPlane({ ...opts, controllerManager: true });
  }

  /**
   * The VM powered on: the guest boots, starts its API and reports it in guestinfo (one ReconfigVM_Task, none when
   * `reported`, the VM's extraConfig, already holds that endpoint).
   */
  async boot(
    client: Vim25Client,
    vm: MoRef,
    options: { signal?: AbortSignal; reported?: Record<string, string> } = {},
  ): Promise<GuestEndpoints> {
    const endpoints = await this.controlPlane.start({ detached: true, signal: options.signal });
    // A guest already up said so: nothing to write (an `up` with nothing to do costs no task).
    if (options.reported?.[GUEST_API_URL_KEY] === endpoints.apiURL) return endpoints;
    await client.reconfigure(vm, {
      extraConfig: {
        [GUEST_API_URL_KEY]: endpoints.apiURL,
        [GUEST_CA_DATA_KEY]: endpoints.caData,
        [GUEST_KIND_KEY]: "simulated",
      },
    });
    return endpoints;
  }

  /**
   * The guest shuts down (before its VM powers off, or because it was powered off behind Slipway's back): its
   * processes stop, its data stays. A guest's guestinfo is gone after a power cycle; the stand-in clears the
   * endpoint it wrote (an empty value removes the key) when it still can reach the VM.
   */
  async shutdown(client?: Vim25Client, vm?: MoRef): Promise<void> {
    await this.controlPlane.stop();
    if (client && vm) await client.reconfigure(vm, { extraConfig: { [GUEST_API_URL_KEY]: "" } });
  }

  async running(): Promise<boolean> {
    return (await this.controlPlane.status()).running;
  }

  /** The cluster's VMs are gone: so is the guest's disk. */
  async destroy(): Promise<void> {
    await this.controlPlane.destroy();
  }
}
