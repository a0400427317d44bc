import type { DesiredPowerState, ObservedPowerState } from "../types.js";

/**
 * The vsphere program's decisions, as pure functions over what a refresh read (one PropertyCollector call lists a
 * folder's VMs, stacks/vsphere/vim25/client.ts `vmsInFolder`): which VMs a cluster wants, which it owns, and what
 * to do to go from one to the other. The dynamic provider's create, update and read are thin shells that list,
 * plan and apply, so an interrupted create is finished by the next run instead of cloning twice.
 */

/** extraConfig keys every VM of a cluster carries, written with the clone so that nothing created can be lost. */
export const INFRA_ID_KEY = "slipway.infraID";
export const CLUSTER_UID_KEY = "slipway.clusterUID";

/** vSphere's limit on a VM's name. */
const VM_NAME_LENGTH = 80;

export interface MachineSize {
  cpus: number;
  memoryMiB: number;
}

/** One VM the cluster wants. */
export interface DesiredVm extends MachineSize {
  name: string;
  role: "control-plane" | "worker";
  /** The node pool a worker belongs to. */
  pool?: string;
  /** Its disk: the template's first disk grows to this size in the clone. */
  diskGiB?: number;
}

/** One VM as a refresh read it (a subset of `VmSummary`, so tests need no MoRefs). */
export interface ObservedVm {
  /** The server's id (`vm-42`). */
  id: string;
  name: string;
  powerState: "poweredOn" | "poweredOff" | "suspended";
  numCPU: number;
  memoryMB: number;
  extraConfig: Record<string, string>;
}

export interface ClusterIdentity {
  infraID: string;
  clusterUID: string;
}

/** The VMs of a spec: control planes `<infraID>-master-<i>`, workers `<infraID>-<pool>-<i>`. */
export function desiredVms(
  infraID: string,
  controlPlane: MachineSize & { replicas: number; diskGiB?: number },
  nodePools: readonly (MachineSize & { name: string; replicas: number; diskGiB?: number })[],
): DesiredVm[] {
  const vms: DesiredVm[] = [];
  const size = ({ cpus, memoryMiB, diskGiB }: MachineSize & { diskGiB?: number }) =>
    diskGiB === undefined ? { cpus, memoryMiB } : { cpus, memoryMiB, diskGiB };
  for (let i = 0; i < controlPlane.replicas; i++) {
    vms.push({ name: vmName(infraID, "master", i), role: "control-plane", ...size(controlPlane) });
  }
  for (const pool of nodePools) {
    for (let i = 0; i < pool.replicas; i++) {
      vms.push({ name: vmName(infraID, pool.name, i), role: "worker", pool: pool.name, ...size(pool) });
    }
  }
  return vms;
}

function vmName(infraID: string, group: string, index: number): string {
  const name = `${infraID}-${group}-${index}`;
  if (name.length > VM_NAME_LENGTH) throw new Error(`VM name ${name} is longer than ${VM_NAME_LENGTH}`);
  return name;
}

/** Whose a VM is: this cluster's, another's (or another incarnation of the same name), or nobody's. */
export function ownerOf(vm: ObservedVm, identity: ClusterIdentity): "ours" | "foreign" | "unlabelled" {
  const infraID = vm.extraConfig[INFRA_ID_KEY];
  const uid = vm.extraConfig[CLUSTER_UID_KEY];
  if (infraID === undefined && uid === undefined) return "unlabelled";
  return infraID === identity.infraID && uid === identity.clusterUID ? "ours" : "foreign";
}

export type VmAction =
  /** Clone the template into this VM (identity and size in the clone spec). */
  | { kind: "clone"; vm: DesiredVm }
  /**
   * Write identity and size on a VM of ours that lacks them: a clone interrupted before its config was applied
   * (or a server that ignores a clone spec's config, as vcsim v0.46.3 does). Adopted, never cloned twice.
   */
  | { kind: "adopt"; id: string; vm: DesiredVm }
  /** Size differs from the spec (reconfigured behind Slipway's back, or the spec changed): power off first. */
  | { kind: "resize"; id: string; vm: DesiredVm; powerCycle: boolean }
  | { kind: "powerOn"; id: string; name: string }
  /** Guest shutdown, then power off when the guest has not stopped within the timeout. */
  | { kind: "shutdown"; id: string; name: string }
  /** One of ours the spec no longer wants (scaled down): power off, then destroy. */
  | { kind: "remove"; id: string; name: string; poweredOn: boolean };

export interface VmSetPlan {
  actions: VmAction[];
  /** Names the cluster wants that a VM of someone else holds: retrying cannot help until a person acts. */
  conflicts: { name: string; id: string; reason: string }[];
}

/**
 * What to do so that the folder holds exactly the desired VMs, sized as the spec says, in the desired power state.
 * An unlabelled VM is adopted only when its name is one the cluster wants: names carry the infraID (the cluster's
 * name and 5 characters of its uid), so such a VM is a clone of ours interrupted before its config landed.
 */
export function planVmSet(
  identity: ClusterIdentity,
  desired: readonly DesiredVm[],
  powerState: DesiredPowerState,
  observed: readonly ObservedVm[],
): VmSetPlan {
  const actions: VmAction[] = [];
  const conflicts: VmSetPlan["conflicts"] = [];
  const byName = new Map(observed.map((vm) => [vm.name, vm]));
  const wanted = new Set(desired.map((vm) => vm.name));

  for (const want of desired) {
    const found = byName.get(want.name);
    if (!found) {
      actions.push({ kind: "clone", vm: want });
      continue;
    }
    const owner = ownerOf(found, identity);
    if (owner === "foreign") {
      conflicts.push({
        name: want.name,
        id: found.id,
        reason: `VM ${want.name} (${found.id}) belongs to ${found.extraConfig[INFRA_ID_KEY] ?? "?"} (uid ${found.extraConfig[CLUSTER_UID_KEY] ?? "?"}), not to this cluster`,
      });
      continue;
    }
    const poweredOn = found.powerState === "poweredOn";
    if (owner === "unlabelled") actions.push({ kind: "adopt", id: found.id, vm: want });
    const sized = found.numCPU === want.cpus && found.memoryMB === want.memoryMiB;
    // An adopted VM is sized by its adoption (one reconfigure writes identity and size).
    if (!sized && owner === "ours")
      actions.push({ kind: "resize", id: found.id, vm: want, powerCycle: poweredOn });
    if (powerState === "Running" && !poweredOn)
      actions.push({ kind: "powerOn", id: found.id, name: want.name });
    if (powerState === "Hibernating" && poweredOn)
      actions.push({ kind: "shutdown", id: found.id, name: want.name });
  }

  for (const vm of observed) {
    if (wanted.has(vm.name) || ownerOf(vm, identity) !== "ours") continue;
    actions.push({ kind: "remove", id: vm.id, name: vm.name, poweredOn: vm.powerState === "poweredOn" });
  }
  return { actions, conflicts };
}

/** The VMs of this cluster among those a refresh read. */
export function ownedVms(identity: ClusterIdentity, observed: readonly ObservedVm[]): ObservedVm[] {
  return observed.filter((vm) => ownerOf(vm, identity) === "ours");
}

/**
 * The stack's `powerState` output from the cluster's VMs: Running when every wanted VM is on, Hibernating when the
 * spec asks for it and none is on, Stopped when the spec asks for Running and a VM is off or missing (drift the
 * next `up` repairs).
 */
export function observedPowerState(
  desired: readonly DesiredVm[],
  powerState: DesiredPowerState,
  owned: readonly ObservedVm[],
): ObservedPowerState {
  const on = new Set(owned.filter((vm) => vm.powerState === "poweredOn").map((vm) => vm.name));
  const allOn = desired.every((vm) => on.has(vm.name));
  if (powerState === "Hibernating") return on.size === 0 ? "Hibernating" : "Running";
  return allOn ? "Running" : "Stopped";
}
