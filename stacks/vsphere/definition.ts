import { vspherePlatform } from "../../src/api/platforms/vsphere.js";
import { DYNAMIC_CLUSTER_RESOURCES } from "../dynamic/control-plane.js";
import type { PlatformDefinition, StackProgram } from "../platform.js";
import { CLUSTER_SECRET_OUTPUTS } from "../types.js";
import { program } from "./cluster.js";
import { vsphereFaults } from "./faults.js";
import {
  desiredVmsOf,
  validateVSphereInputs,
  vsphereDataFolder,
  vsphereHostInputs,
  type VSphereClusterInputs,
} from "./inputs.js";
import { CA_KEY, PASSWORD_KEY, USERNAME_KEY } from "./keys.js";
import { assertOperationsBuilt } from "./provider.js";

const clusterDeployment: StackProgram<VSphereClusterInputs> = {
  hostInputs: vsphereHostInputs,
  validate: (inputs) => {
    const valid = validateVSphereInputs(inputs);
    assertOperationsBuilt();
    return valid;
  },
  program,
  describe: (inputs) => ({
    platform: "vsphere",
    summary:
      `vsphere cluster ${inputs.clusterName} (${inputs.powerState}): ${desiredVmsOf(inputs).length} VMs on ` +
      `${inputs.platform.vCenter}/${inputs.platform.datacenter}, simulated guest in ${inputs.dataDir}`,
    expectedResources: DYNAMIC_CLUSTER_RESOURCES,
    secretOutputs: CLUSTER_SECRET_OUTPUTS,
    // A retried create lists the folder and adopts the VMs the first attempt made (vm-set.ts), never clones twice.
    idempotentCreate: true,
  }),
};

/**
 * VMs on vCenter, cloned from a template, through the vim25 SOAP API (stacks/vsphere/vim25). The guest of the first
 * control plane VM is simulated on the machine that runs the stack (simulated-guest.ts), so its cluster joins
 * the hub like a local one: OCM's agent beside it, supervised by the worker.
 */
export const vsphere: PlatformDefinition = {
  name: "vsphere",
  implemented: true,
  schema: vspherePlatform,
  // The certificatesRef Secret's ca.crt comes along with these (credentials.alsoFrom).
  credentials: {
    keys: [USERNAME_KEY, PASSWORD_KEY],
    alsoFrom: [{ field: "certificatesRef", keys: [CA_KEY] }],
  },
  programs: { ClusterDeployment: clusterDeployment },
  hubJoin: { method: "supervised-agent" },
  policyAccess: { via: "admin-kubeconfig" },
  hibernation:
    "every VM powers off (guest shutdown, power-off after 120 s): compute and memory are freed, disks are kept; the simulated guest's processes stop",
  dataFolder: vsphereDataFolder,
  faults: vsphereFaults,
};
