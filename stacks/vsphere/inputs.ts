import { vspherePlatform } from "../../src/api/platforms/vsphere.js";
import type { Infer } from "../../src/api/schema.js";
import { join } from "node:path";
import { cloudHostFields, cloudHostInputs, infraIDFor } from "../cloud/inputs.js";
import { absolutePath, clusterInputs, parseInputs } from "../cluster-inputs.js";
import type { PlatformDataFolder, StackContext } from "../platform.js";
import { desiredVms, type ClusterIdentity, type DesiredVm } from "./vm-set-plan.js";

/**
 * The vsphere program's inputs: spec.platform.vsphere as the API stores it (defaults applied) and the cluster's
 * uid, which every VM carries with the infraID (stacks/cloud's `infraIDFor`, so every run agrees on it).
 */
export const vsphereInputs = clusterInputs(vspherePlatform({ immutable: false }), {
  ...cloudHostFields,
  dataDir: absolutePath(
    "The simulated guest's folder on the machine that runs the stack (its control plane's data). Removed on destroy.",
  ),
  binDir: absolutePath("Folder with etcd, kube-apiserver and kube-controller-manager (tools/bin)."),
});
export type VSphereClusterInputs = Infer<typeof vsphereInputs>;

/**
 * One folder per stack, `<stateDir>/vsphere-guests/<stack>`: the simulated guest's control plane
 * (simulated-guest.ts) and the registration agent the worker supervises beside it.
 */
export const vsphereDataFolder: PlatformDataFolder = { root: (stateDir) => join(stateDir, "vsphere-guests") };

export function vsphereHostInputs(
  ctx: StackContext,
): Pick<VSphereClusterInputs, "clusterUID" | "dataDir" | "binDir"> {
  return {
    ...cloudHostInputs(ctx),
    dataDir: join(vsphereDataFolder.root(ctx.stateDir), ctx.stackName),
    binDir: ctx.toolsBinDir,
  };
}

export function validateVSphereInputs(raw: unknown): VSphereClusterInputs {
  return parseInputs("vsphere", vsphereInputs, raw);
}

/** Inventory paths of what a cluster's VMs are cloned from and into, each found with one FindByInventoryPath. */
export interface InventoryPaths {
  template: string;
  folder: string;
  resourcePool: string;
  datastore: string;
}

/**
 * The spec's names as inventory paths under its datacenter. `template` and `folder` are VM-folder paths (a bare
 * name is at the top of `<datacenter>/vm`); `resourcePool` is under the cluster's root pool; the datastore is by
 * name. A `/` inside one name is written `%2f`, as vSphere's inventory paths escape it. The network is not here:
 * it is set on the VM's NIC (device change), not found by path.
 */
export function inventoryPaths(platform: VSphereClusterInputs["platform"]): InventoryPaths {
  const dc = escapeName(platform.datacenter);
  const under = (root: string, path: string | undefined) =>
    path === undefined || path === "" ? root : `${root}/${path.replace(/^\/+|\/+$/g, "")}`;
  return {
    template: under(`${dc}/vm`, platform.template),
    folder: under(`${dc}/vm`, platform.folder),
    resourcePool: under(`${dc}/host/${escapeName(platform.cluster)}/Resources`, platform.resourcePool),
    datastore: `${dc}/datastore/${escapeName(platform.defaultDatastore)}`,
  };
}

function escapeName(name: string): string {
  return name.replace(/%/g, "%25").replace(/\//g, "%2f");
}

/** The cluster's identity on its VMs. */
export function identityOf(
  inputs: Pick<VSphereClusterInputs, "clusterName" | "clusterUID">,
): ClusterIdentity {
  return { infraID: infraIDFor(inputs.clusterName, inputs.clusterUID), clusterUID: inputs.clusterUID };
}

/** The VMs the spec wants: its control plane and every node pool's workers. */
export function desiredVmsOf(
  inputs: Pick<VSphereClusterInputs, "clusterName" | "clusterUID" | "platform">,
): DesiredVm[] {
  const p = inputs.platform;
  return desiredVms(identityOf(inputs).infraID, p.controlPlane, p.nodePools);
}

/** `https://<vCenter>/sdk`: spec.platform.vsphere.vCenter is a host name, with a port when it is not 443. */
export function sdkURL(vCenter: string): string {
  return `https://${vCenter}/sdk`;
}
