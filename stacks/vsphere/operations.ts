/**
 * What the `vsphere` dynamic provider does, run inside Pulumi's dynamic-provider process (plain Node).
 * stacks/vsphere/provider.ts loads the compiled copy of this file from dist/ (stacks/dynamic/compiled-operations.ts),
 * so everything here may import freely. Each operation is one vCenter session: login, list, plan and act
 * (vm-set.ts), logout. The guest of the first control plane VM is SIMULATED (simulated-guest.ts).
 */
import { randomBytes } from "node:crypto";
import type { VSpherePlatform } from "../../src/api/platforms/vsphere.js";
import { Vim25FaultError } from "../../src/errors/index.js";
import { runCancellation } from "../dynamic/cancellation.js";
import type { DesiredPowerState, ObservedPowerState } from "../types.js";
import { CA_KEY, PASSWORD_KEY, USERNAME_KEY } from "./keys.js";
import { vsphereProviderError, type FaultContext } from "./faults.js";
import { desiredVmsOf, identityOf, inventoryPaths, sdkURL } from "./inputs.js";
import {
  SimulatedGuest,
  GUEST_API_URL_KEY,
  GUEST_CA_DATA_KEY,
  type GuestEndpoints,
} from "./simulated-guest.js";
import { guestinfoFor, isInitNode } from "./user-data.js";
import { Vim25Client, type VmSummary } from "./vim25/client.js";
import { toSoapValue, type DataObject, type MoRef } from "./vim25/soap-codec.js";
import { applyVmSet, findPlacement, removeVmSet, type VmSetPlacement } from "./vm-set.js";
import { observedPowerState, ownedVms, type DesiredVm, type ObservedVm } from "./vm-set-plan.js";

// This process inherits the Pulumi CLI's environment, passphrase included; the simulated guest's processes would
// inherit it from here and keep it for their lifetime. They need none of it.
for (const name of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_ACCESS_TOKEN"]) {
  delete process.env[name];
}

/** How long a guest may take to shut down before its VM is powered off. */
const SHUTDOWN_TIMEOUT_MS = 120_000;

/** The dynamic resource's inputs. `credentials` is secret (stacks/credentials.ts), and so is it in the state. */
export interface VSphereControlPlaneArgs {
  clusterName: string;
  clusterUID: string;
  powerState: DesiredPowerState;
  platform: VSpherePlatform;
  dataDir: string;
  binDir: string;
  credentials: Record<string, string>;
}

/** One VM as the last operation left it, in the state (never secret). */
export interface VmRecord {
  name: string;
  id: string;
  powerState: string;
  cpus: number;
  memoryMiB: number;
}

export interface VSphereControlPlaneState extends Omit<VSphereControlPlaneArgs, "powerState"> {
  desiredPowerState: DesiredPowerState;
  powerState: ObservedPowerState;
  apiURL: string;
  caData: string;
  kubeconfig: string;
  infraID: string;
  drift: string;
  /** "simulated": the first control plane VM's guest is the stand-in of simulated-guest.ts. */
  guest: string;
  vms: VmRecord[];
  /** SOAP calls the last operation made, by method (figures for docs/benchmarks.md). */
  soapCalls: Record<string, number>;
  /** Where the last operation's time went, in ms: placement, vms (clone, adopt, power), guest (boot and report). */
  phaseMs: Record<string, number>;
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

type SessionArgs = Pick<VSphereControlPlaneArgs, "platform" | "credentials">;

function faultContext(args: SessionArgs): FaultContext {
  return {
    vCenter: args.platform.vCenter,
    credentialsSecret: args.platform.credentialsRef?.name ?? "(none)",
    caSource: args.platform.certificatesRef
      ? `ca.crt of Secret ${args.platform.certificatesRef.name}`
      : "the system roots",
  };
}

/** One vCenter session around `work`; a failed vSphere call becomes the provider error with its reason. */
async function inSession<T>(
  args: SessionArgs,
  work: (client: Vim25Client) => Promise<T>,
): Promise<{ value: T; calls: Record<string, number> }> {
  let client: Vim25Client | undefined;
  try {
    client = await Vim25Client.login({
      url: sdkURL(args.platform.vCenter),
      caPem: args.credentials[CA_KEY] || undefined,
      username: args.credentials[USERNAME_KEY] ?? "",
      password: args.credentials[PASSWORD_KEY] ?? "",
      requestTimeoutMs: 60_000,
    });
    const value = await work(client);
    await client.logout().catch(() => undefined);
    return { value, calls: Object.fromEntries(client.transport.calls) };
  } catch (error) {
    await client?.logout().catch(() => undefined);
    if (error instanceof Error && /^VSphere[A-Za-z]+: /.test(error.message)) throw error;
    throw vsphereProviderError(error, faultContext(args));
  }
}

function guestOf(args: Pick<VSphereControlPlaneArgs, "clusterName" | "dataDir" | "binDir">): SimulatedGuest {
  return new SimulatedGuest({ name: args.clusterName, dataDir: args.dataDir, binDir: args.binDir });
}

/** Where the clones go, with the NIC on the spec's network: 6 calls (4 paths, the network, the template's devices). */
async function placementOf(client: Vim25Client, platform: VSpherePlatform): Promise<VmSetPlacement> {
  const paths = inventoryPaths(platform);
  const placement = await findPlacement(client, paths);
  const networkPath = `${paths.datastore.split("/datastore/")[0]}/network/${platform.network.replace(/\//g, "%2f")}`;
  const network = await client.findByInventoryPath(networkPath);
  if (!network) {
    throw new Vim25FaultError("FindByInventoryPath", "NotFound", `nothing at network ${networkPath}`);
  }
  const nic = await client.nicOnNetwork(placement.template, network, platform.network);
  return { ...placement, deviceChange: nic ? [nic] : undefined };
}

/** The template's first disk grown to the VM's size (never shrunk: vSphere cannot). */
async function diskEdits(client: Vim25Client, template: MoRef): Promise<(vm: DesiredVm) => DataObject[]> {
  const disk = (await client.devices(template)).find((d) => d.type === "VirtualDisk");
  return (vm) => {
    if (!disk || vm.diskGiB === undefined) return [];
    const device = toSoapValue(disk.node) as DataObject;
    const kb = vm.diskGiB * 1024 * 1024;
    if (Number(device.capacityInKB ?? 0) >= kb) return [];
    device.capacityInKB = kb;
    if ("capacityInBytes" in device) device.capacityInBytes = kb * 1024;
    return [{ operation: "edit", device }];
  };
}

function controlPlaneEndpoint(args: VSphereControlPlaneArgs, infraID: string): string {
  return args.platform.controlPlaneEndpoint || `${infraID}-master-0`;
}

/** Brings VMs and guest to the spec: what create and update both do. */
async function apply(
  args: VSphereControlPlaneArgs,
  previous: GuestEndpoints | undefined,
): Promise<VSphereControlPlaneState> {
  const identity = identityOf(args);
  const desired = desiredVmsOf(args);
  const guest = guestOf(args);
  const cancellation = runCancellation();
  const phaseMs: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      return await work();
    } finally {
      phaseMs[phase] = (phaseMs[phase] ?? 0) + Date.now() - start;
    }
  };
  try {
    const { value, calls } = await inSession(args, async (client) => {
      const placement = await timed("placement", () => placementOf(client, args.platform));
      const disks = await timed("placement", () => diskEdits(client, placement.template));
      const token = `${randomBytes(3).toString("hex")}.${randomBytes(8).toString("hex")}`;
      const options = {
        guestinfo: (vm: DesiredVm) =>
          guestinfoFor(vm, {
            infraID: identity.infraID,
            controlPlaneEndpoint: controlPlaneEndpoint(args, identity.infraID),
            kubernetesVersion: args.platform.version,
            token,
          }),
        deviceChange: disks,
        shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
      };
      const initVm = (vms: VmSummary[]) =>
        vms.find((vm) => isInitNode({ name: vm.name } as DesiredVm, identity.infraID));
      let endpoints = previous;
      // A cluster created hibernating runs once (its guest makes its PKI and kubeconfig), then sleeps, as Hive does.
      if (args.powerState === "Running" || !endpoints) {
        const set = await timed("vms", () =>
          applyVmSet(client, placement, identity, desired, "Running", options),
        );
        assertNoConflicts(set.conflicts);
        const init = initVm(set.vms);
        if (!init) throw new Error(`the VM ${identity.infraID}-master-0 was not created`);
        endpoints = await timed("guest", async () => {
          const booted = await guest.boot(client, init.ref, {
            signal: cancellation.signal,
            reported: init.extraConfig,
          });
          // The endpoint is what the guest reported through guestinfo; the kubeconfig is the simulated guest's own.
          return { ...(await reportedEndpoint(client, init.ref)), kubeconfig: booted.kubeconfig };
        });
      }
      let vms: VmSummary[] | undefined;
      if (args.powerState === "Hibernating") {
        // The guest shuts down first, then its VM powers off (guest shutdown, power-off after the timeout).
        const listed = await client.vmsInFolder(placement.folder);
        const init = initVm(listed);
        await timed("guest", () => guest.shutdown(client, init?.ref));
        const set = await timed("vms", () =>
          applyVmSet(client, placement, identity, desired, "Hibernating", options),
        );
        assertNoConflicts(set.conflicts);
        vms = set.vms;
      } else {
        vms = await client.vmsInFolder(placement.folder);
      }
      return { endpoints: endpoints!, vms: ownedSummaries(identity, vms) };
    });
    const observed = observedPowerState(desired, args.powerState, value.vms.map(observedVm));
    return { ...stateFor(args, value.endpoints, observed, "", value.vms, calls), phaseMs };
  } finally {
    cancellation.stop();
  }
}

function assertNoConflicts(conflicts: { reason: string }[]): void {
  if (conflicts.length === 0) return;
  throw new Error(
    `VSphereNameConflict: ${conflicts.map((c) => c.reason).join("; ")}; rename or remove that VM, or rename the cluster`,
  );
}

/** What the guest reported in the VM's guestinfo: the provider waits for it (one call when it is there). */
async function reportedEndpoint(
  client: Vim25Client,
  vm: MoRef,
  timeoutMs = 600_000,
): Promise<{ apiURL: string; caData: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const config = (await client.vm(vm))?.extraConfig ?? {};
    const apiURL = config[GUEST_API_URL_KEY];
    if (apiURL) return { apiURL, caData: config[GUEST_CA_DATA_KEY] ?? "" };
    if (Date.now() > deadline)
      throw new Error(`the guest of ${vm.value} reported no API endpoint in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

function ownedSummaries(identity: { infraID: string; clusterUID: string }, vms: VmSummary[]): VmSummary[] {
  const owned = new Set(ownedVms(identity, vms.map(observedVm)).map((vm) => vm.id));
  return vms.filter((vm) => owned.has(vm.ref.value));
}

function observedVm(vm: VmSummary): ObservedVm {
  return { ...vm, id: vm.ref.value };
}

function stateFor(
  args: VSphereControlPlaneArgs,
  endpoints: GuestEndpoints,
  powerState: ObservedPowerState,
  drift: string,
  vms: VmSummary[],
  soapCalls: Record<string, number>,
): VSphereControlPlaneState {
  const identity = identityOf(args);
  return {
    ...args,
    desiredPowerState: args.powerState,
    powerState,
    apiURL: endpoints.apiURL,
    caData: endpoints.caData,
    kubeconfig: endpoints.kubeconfig,
    infraID: identity.infraID,
    drift,
    guest: "simulated",
    vms: vms
      .map((vm) => ({
        name: vm.name,
        id: vm.ref.value,
        powerState: vm.powerState,
        cpus: vm.numCPU,
        memoryMiB: vm.memoryMB,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    soapCalls,
    phaseMs: {},
  };
}

export async function create(
  args: VSphereControlPlaneArgs,
): Promise<{ id: string; outs: VSphereControlPlaneState }> {
  const outs = await apply(args, undefined);
  return { id: outs.infraID, outs };
}

/**
 * What vCenter holds, in one listing of the folder (login, find the folder, list, logout: 5 calls): a VM powered
 * off behind Slipway's back shows as `Stopped` (and its simulated guest stops with it), one deleted or resized as
 * `drift`; no VM of the cluster left makes the resource disappear.
 */
export async function read(
  id: string,
  props: VSphereControlPlaneState,
): Promise<{ id?: string; props?: VSphereControlPlaneState }> {
  const identity = identityOf(props);
  const desired = desiredVmsOf(props);
  const { value: owned, calls } = await inSession(props, async (client): Promise<VmSummary[]> => {
    const folder = await client.findByInventoryPath(inventoryPaths(props.platform).folder);
    if (!folder) return [];
    return ownedSummaries(identity, await client.vmsInFolder(folder));
  });
  if (owned.length === 0) return {};
  const observed = owned.map(observedVm);
  const init = owned.find((vm) => isInitNode({ name: vm.name } as DesiredVm, identity.infraID));
  const guest = guestOf(props);
  if (init?.powerState !== "poweredOn" && (await guest.running())) await guest.shutdown();
  const powerState = observedPowerState(desired, props.desiredPowerState, observed);
  return {
    id,
    props: {
      ...stateFor(
        { ...props, powerState: props.desiredPowerState },
        props,
        powerState,
        driftOf(desired, observed),
        owned,
        calls,
      ),
      desiredPowerState: props.desiredPowerState,
      powerState,
    },
  };
}

/** What differs from the spec beyond the power state, in words: VMs missing, or resized behind Slipway's back. */
export function driftOf(desired: readonly DesiredVm[], owned: readonly ObservedVm[]): string {
  const byName = new Map(owned.map((vm) => [vm.name, vm]));
  const missing = desired.filter((vm) => !byName.has(vm.name)).map((vm) => vm.name);
  const resized = desired.flatMap((vm) => {
    const found = byName.get(vm.name);
    if (!found || (found.numCPU === vm.cpus && found.memoryMB === vm.memoryMiB)) return [];
    return [
      `${vm.name} has ${found.numCPU} vCPUs and ${found.memoryMB} MiB, the spec asks for ${vm.cpus} and ${vm.memoryMiB}`,
    ];
  });
  const wanted = new Set(desired.map((vm) => vm.name));
  const extra = owned.filter((vm) => !wanted.has(vm.name)).map((vm) => vm.name);
  return [
    ...(missing.length ? [`VMs missing: ${missing.join(", ")}`] : []),
    ...resized,
    ...(extra.length ? [`VMs the spec does not want: ${extra.join(", ")}`] : []),
  ].join("; ");
}

/** No vCenter call: `read` (refresh) recorded what drifted, and the spec's changes are in the inputs. */
export async function diff(
  olds: VSphereControlPlaneState,
  news: VSphereControlPlaneArgs,
): Promise<DiffOutcome> {
  const replaces: string[] = (["clusterName", "clusterUID", "dataDir"] as const).filter(
    (key) => olds[key] !== news[key],
  );
  for (const key of ["vCenter", "datacenter", "folder"] as const) {
    if (olds.platform[key] !== news.platform[key]) replaces.push(`platform.${key}`);
  }
  if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
  const changes =
    olds.desiredPowerState !== news.powerState ||
    olds.powerState !== news.powerState ||
    olds.drift !== "" ||
    olds.binDir !== news.binDir ||
    JSON.stringify(olds.platform) !== JSON.stringify(news.platform) ||
    JSON.stringify(olds.credentials) !== JSON.stringify(news.credentials);
  return { changes, replaces: [], deleteBeforeReplace: false };
}

export async function update(
  olds: VSphereControlPlaneState,
  news: VSphereControlPlaneArgs,
): Promise<{ outs: VSphereControlPlaneState }> {
  const previous = olds.kubeconfig
    ? { apiURL: olds.apiURL, caData: olds.caData, kubeconfig: olds.kubeconfig }
    : undefined;
  return { outs: await apply(news, previous) };
}

/** Powers off and destroys every VM of the cluster (an interrupted clone too), then the simulated guest's folder. */
export async function remove(props: VSphereControlPlaneState): Promise<void> {
  await removeCounted(props);
}

/** `remove`, with the SOAP calls it made (for `slipway bench vsphere`). */
export async function removeCounted(
  props: VSphereControlPlaneState,
): Promise<{ soapCalls: Record<string, number> }> {
  const identity = identityOf(props);
  if (!props.platform) return { soapCalls: {} }; // nothing was recorded: a create that failed before its first VM
  const { calls } = await inSession(props, async (client) => {
    const folder = await client.findByInventoryPath(inventoryPaths(props.platform).folder);
    if (folder) await removeVmSet(client, folder, identity);
  });
  await guestOf(props).destroy();
  return { soapCalls: calls };
}
