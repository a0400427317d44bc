import { describe, expect, it } from "vitest";
import { ClusterDeploymentReason } from "../../../../src/api/reasons.js";
import { TerminalStackError } from "../../../../src/errors/index.js";
import {
  desiredVmsOf,
  identityOf,
  inventoryPaths,
  validateVSphereInputs,
} from "../../../../stacks/vsphere/inputs.js";

const UID = "0b7c2f4e-9d1a-4c4e-8f00-5a1e2d3c4b5a";
const raw = (platform: Record<string, unknown> = {}) => ({
  clusterName: "dev-a",
  powerState: "Running",
  clusterUID: UID,
  dataDir: "/var/lib/slipway/vsphere-guests/ns-dev-a-0b7c2f4e",
  binDir: "/opt/slipway/bin",
  platform: {
    vCenter: "vcenter.example.com",
    datacenter: "DC0",
    cluster: "DC0_C0",
    defaultDatastore: "LocalDS_0",
    network: "VM Network",
    template: "templates/ubuntu-k8s",
    credentialsRef: { name: "vsphere" },
    ...platform,
  },
});

describe("vsphere inputs", () => {
  it("applies the API's defaults: one control plane and two workers, each VM named after the infraID", () => {
    const inputs = validateVSphereInputs(raw());
    expect(identityOf(inputs)).toEqual({ infraID: "dev-a-0b7c2", clusterUID: UID });
    expect(desiredVmsOf(inputs).map((vm) => [vm.name, vm.cpus, vm.memoryMiB])).toEqual([
      ["dev-a-0b7c2-master-0", 4, 8192],
      ["dev-a-0b7c2-workers-0", 4, 8192],
      ["dev-a-0b7c2-workers-1", 4, 8192],
    ]);
  });

  it("refuses a bad field as InvalidInputs naming its path", () => {
    const bad = () => validateVSphereInputs(raw({ controlPlane: { replicas: 5 } }));
    expect(bad).toThrow(TerminalStackError);
    expect(bad).toThrow(/controlPlane\.replicas/);
    try {
      bad();
    } catch (error) {
      expect((error as TerminalStackError).reason).toBe(ClusterDeploymentReason.InvalidInputs);
    }
  });

  it("turns the spec's names into inventory paths under the datacenter", () => {
    const inputs = validateVSphereInputs(raw());
    expect(inventoryPaths(inputs.platform)).toEqual({
      template: "DC0/vm/templates/ubuntu-k8s",
      folder: "DC0/vm",
      resourcePool: "DC0/host/DC0_C0/Resources",
      datastore: "DC0/datastore/LocalDS_0",
    });
    const placed = validateVSphereInputs(
      raw({ folder: "/slipway/dev/", resourcePool: "k8s", datacenter: "eu/west", defaultDatastore: "ds/1" }),
    );
    expect(inventoryPaths(placed.platform)).toEqual({
      template: "eu%2fwest/vm/templates/ubuntu-k8s",
      folder: "eu%2fwest/vm/slipway/dev",
      resourcePool: "eu%2fwest/host/DC0_C0/Resources/k8s",
      datastore: "eu%2fwest/datastore/ds%2f1",
    });
  });
});
