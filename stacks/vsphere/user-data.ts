import type { DesiredVm } from "./vm-set-plan.js";

/**
 * What each VM's guest is told at first boot, through guestinfo (the VMware datasource of cloud-init reads
 * `guestinfo.userdata` and `guestinfo.metadata`, base64): its hostname, and `kubeadm init` on the first control
 * plane VM or `kubeadm join` on the others. Pure: the provider sets the result as extraConfig with the clone.
 */
export interface GuestBootstrap {
  infraID: string;
  /** Where joining nodes reach the API: spec.controlPlaneEndpoint, or the first control plane VM's name. */
  controlPlaneEndpoint: string;
  /** Kubernetes version kubeadm installs (the template carries it); absent: the template's. */
  kubernetesVersion?: string;
  /**
   * A kubeadm bootstrap token (`abcdef.0123456789abcdef`), made for the run that clones. It is in the VM's
   * guestinfo, which vCenter users with read access on the VM can see, as Cluster API's vSphere provider does;
   * it is never in the stack's state, a log or a status, and kubeadm lets it expire after 24 h.
   */
  token: string;
}

/** The first control plane VM initialises the cluster; every other VM joins it. */
export function isInitNode(vm: DesiredVm, infraID: string): boolean {
  return vm.name === `${infraID}-master-0`;
}

/** The guestinfo keys of one VM. */
export function guestinfoFor(vm: DesiredVm, boot: GuestBootstrap): Record<string, string> {
  const metadata = [`instance-id: ${vm.name}`, `local-hostname: ${vm.name}`].join("\n");
  return {
    "guestinfo.metadata": Buffer.from(metadata).toString("base64"),
    "guestinfo.metadata.encoding": "base64",
    "guestinfo.userdata": Buffer.from(cloudConfig(vm, boot)).toString("base64"),
    "guestinfo.userdata.encoding": "base64",
  };
}

/** The cloud-config a VM runs once: kubeadm init or join, then reports the API endpoint back through guestinfo. */
export function cloudConfig(vm: DesiredVm, boot: GuestBootstrap): string {
  const endpoint = `${boot.controlPlaneEndpoint}:6443`;
  const version = boot.kubernetesVersion ? ` --kubernetes-version ${boot.kubernetesVersion}` : "";
  let command: string;
  if (isInitNode(vm, boot.infraID)) {
    command = `kubeadm init --control-plane-endpoint ${endpoint} --token ${boot.token} --upload-certs${version}`;
  } else {
    const role = vm.role === "control-plane" ? " --control-plane" : "";
    command = `kubeadm join ${endpoint} --token ${boot.token} --discovery-token-unsafe-skip-ca-verification${role}`;
  }
  const lines = ["#cloud-config", `hostname: ${vm.name}`, "runcmd:", `  - ${command}`];
  if (isInitNode(vm, boot.infraID)) {
    // What the provider waits for: the guest says where its API answers (vmware-rpctool sets guestinfo).
    lines.push(
      `  - vmware-rpctool "info-set guestinfo.slipway.apiURL https://${endpoint}"`,
      `  - vmware-rpctool "info-set guestinfo.slipway.caData $(base64 -w0 /etc/kubernetes/pki/ca.crt)"`,
    );
  }
  return `${lines.join("\n")}\n`;
}
