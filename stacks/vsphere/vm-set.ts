import { Vim25FaultError } from "../../src/errors/index.js";
import type { DesiredPowerState } from "../types.js";
import type { Vim25Client, VmSummary } from "./vim25/client.js";
import type { DataObject, MoRef } from "./vim25/soap-codec.js";
import {
  CLUSTER_UID_KEY,
  INFRA_ID_KEY,
  ownedVms,
  ownerOf,
  planVmSet,
  type ClusterIdentity,
  type DesiredVm,
  type ObservedVm,
  type VmAction,
  type VmSetPlan,
} from "./vm-set-plan.js";

/** Where a cluster's VMs are cloned from and to (inventory objects found once per run). */
export interface VmSetPlacement {
  template: MoRef;
  folder: MoRef;
  resourcePool: MoRef;
  datastore: MoRef;
  /** Device edits each clone gets (the NIC on the spec's network, from `Vim25Client.nicOnNetwork`). */
  deviceChange?: DataObject[];
}

export interface VmSetOptions {
  /** extraConfig each VM gets besides its identity (`guestinfo.userdata` ...), by VM. */
  guestinfo?(vm: DesiredVm): Record<string, string>;
  /** Device edits of one VM's clone besides the placement's (its disk grown to the spec's size). */
  deviceChange?(vm: DesiredVm): DataObject[];
  /** How long a guest may take to shut down before the VM is powered off. */
  shutdownTimeoutMs?: number;
  /** Poll interval while waiting for a guest shutdown. */
  shutdownPollMs?: number;
}

export interface VmSetResult {
  /** The cluster's VMs after the last pass. */
  vms: VmSummary[];
  /** Names held by another cluster's VM: left alone; retrying cannot help until a person acts. */
  conflicts: VmSetPlan["conflicts"];
  /** Passes run (list, plan, act); the last one found nothing to do, or the limit was reached. */
  passes: number;
}

/**
 * The placement's objects from their inventory paths (stacks/vsphere/inputs.ts `inventoryPaths`): one
 * FindByInventoryPath each. A path that finds nothing fails as fault `NotFound` naming the field and the path (a
 * template that does not exist, say): a person must fix the spec or the inventory.
 */
export async function findPlacement(
  client: Vim25Client,
  paths: Record<Exclude<keyof VmSetPlacement, "deviceChange">, string>,
): Promise<VmSetPlacement> {
  const found: Partial<VmSetPlacement> = {};
  const missing: string[] = [];
  for (const key of ["template", "folder", "resourcePool", "datastore"] as const) {
    const ref = await client.findByInventoryPath(paths[key]);
    if (ref) found[key] = ref;
    else missing.push(`${key} ${paths[key]}`);
  }
  if (missing.length > 0) {
    throw new Vim25FaultError("FindByInventoryPath", "NotFound", `nothing at ${missing.join(", ")}`);
  }
  return found as VmSetPlacement;
}

/** Passes before giving up: clone, then adopt what a server left unconfigured, then power on. */
const MAX_PASSES = 4;

/**
 * Brings a cluster's VMs to the plan: list the folder (one call), plan (vm-set-plan.ts), act, and list again until
 * nothing is left to do. Converging by passes instead of trusting each call's result is what makes a retry after
 * an interruption safe: a clone that landed without its config is adopted on the next pass, never cloned twice.
 */
export async function applyVmSet(
  client: Vim25Client,
  placement: VmSetPlacement,
  identity: ClusterIdentity,
  desired: readonly DesiredVm[],
  powerState: DesiredPowerState,
  options: VmSetOptions = {},
): Promise<VmSetResult> {
  for (let pass = 1; ; pass++) {
    const listed = await client.vmsInFolder(placement.folder);
    const plan = planVmSet(identity, desired, powerState, listed.map(observed));
    if (plan.actions.length === 0 || pass > MAX_PASSES) {
      const owned = new Set(ownedVms(identity, listed.map(observed)).map((vm) => vm.id));
      return { vms: listed.filter((vm) => owned.has(vm.ref.value)), conflicts: plan.conflicts, passes: pass };
    }
    for (const action of plan.actions) await act(client, placement, identity, powerState, action, options);
  }
}

/**
 * Powers off and destroys every VM of the cluster in the folder: its own, and an unlabelled one named after its
 * infraID (a clone interrupted before its config landed, which a retried create would have adopted).
 */
export async function removeVmSet(
  client: Vim25Client,
  folder: MoRef,
  identity: ClusterIdentity,
): Promise<number> {
  const listed = (await client.vmsInFolder(folder)).map(observed);
  const owned = listed.filter(
    (vm) =>
      ownerOf(vm, identity) === "ours" ||
      (ownerOf(vm, identity) === "unlabelled" && vm.name.startsWith(`${identity.infraID}-`)),
  );
  for (const vm of owned) {
    await act(client, undefined, identity, "Hibernating", {
      kind: "remove",
      id: vm.id,
      name: vm.name,
      poweredOn: vm.powerState === "poweredOn",
    });
  }
  return owned.length;
}

function observed(vm: VmSummary): ObservedVm {
  return { ...vm, id: vm.ref.value };
}

const vmRef = (id: string): MoRef => ({ type: "VirtualMachine", value: id });

function extraConfigOf(
  identity: ClusterIdentity,
  vm: DesiredVm,
  options: VmSetOptions,
): Record<string, string> {
  return {
    ...options.guestinfo?.(vm),
    [INFRA_ID_KEY]: identity.infraID,
    [CLUSTER_UID_KEY]: identity.clusterUID,
  };
}

function deviceChangeOf(
  placement: VmSetPlacement,
  vm: DesiredVm,
  options: VmSetOptions,
): DataObject[] | undefined {
  const all = [...(placement.deviceChange ?? []), ...(options.deviceChange?.(vm) ?? [])];
  return all.length > 0 ? all : undefined;
}

async function act(
  client: Vim25Client,
  placement: VmSetPlacement | undefined,
  identity: ClusterIdentity,
  powerState: DesiredPowerState,
  action: VmAction,
  options: VmSetOptions = {},
): Promise<void> {
  switch (action.kind) {
    case "clone":
      await client.cloneVm(placement!.template, {
        name: action.vm.name,
        folder: placement!.folder,
        resourcePool: placement!.resourcePool,
        datastore: placement!.datastore,
        cpus: action.vm.cpus,
        memoryMiB: action.vm.memoryMiB,
        extraConfig: extraConfigOf(identity, action.vm, options),
        deviceChange: deviceChangeOf(placement!, action.vm, options),
        powerOn: powerState === "Running",
      });
      return;
    case "adopt":
      // What the clone spec would have set; device keys are the template's, which a clone keeps.
      await client.reconfigure(vmRef(action.id), {
        cpus: action.vm.cpus,
        memoryMiB: action.vm.memoryMiB,
        // Not the disk: vcsim v0.46.3 shares the template's disk device with its clones, and an edit of a clone's
        // disk broke every later clone (they came without a disk). A vCenter grows it in the clone task itself.
        deviceChange: placement!.deviceChange,
        extraConfig: extraConfigOf(identity, action.vm, options),
      });
      return;
    case "resize":
      // CPU and memory change on a powered-off VM (hot-add is a template's choice); the next pass powers it on.
      if (action.powerCycle) await powerOff(client, vmRef(action.id));
      await client.reconfigure(vmRef(action.id), { cpus: action.vm.cpus, memoryMiB: action.vm.memoryMiB });
      return;
    case "powerOn":
      await client.powerOn(vmRef(action.id));
      return;
    case "shutdown":
      await shutdown(client, vmRef(action.id), options);
      return;
    case "remove":
      if (action.poweredOn) await powerOff(client, vmRef(action.id));
      await client.destroy(vmRef(action.id));
      return;
  }
}

/** Guest shutdown first (the OS stops cleanly); power off when the guest cannot or did not stop in time. */
async function shutdown(client: Vim25Client, vm: MoRef, options: VmSetOptions): Promise<void> {
  const { shutdownTimeoutMs = 120_000, shutdownPollMs = 500 } = options;
  try {
    await client.shutdownGuest(vm);
  } catch (error) {
    // No VMware Tools in the guest (ToolsUnavailable) or not running: power off is the only way.
    if (!(error instanceof Vim25FaultError) || error.fault === "Transport") throw error;
    await powerOff(client, vm);
    return;
  }
  const deadline = Date.now() + shutdownTimeoutMs;
  while (Date.now() < deadline) {
    const state = (await client.vm(vm))?.powerState;
    if (state === undefined || state === "poweredOff") return;
    await new Promise((r) => setTimeout(r, shutdownPollMs));
  }
  await powerOff(client, vm);
}

/** Power off; a VM already off (its guest finished shutting down meanwhile) is what was wanted. */
async function powerOff(client: Vim25Client, vm: MoRef): Promise<void> {
  try {
    await client.powerOff(vm);
  } catch (error) {
    if (!(error instanceof Vim25FaultError && error.fault === "InvalidPowerState")) throw error;
  }
}
