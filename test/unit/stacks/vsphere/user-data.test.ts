import { describe, expect, it } from "vitest";
import { Vim25FaultError } from "../../../../src/errors/index.js";
import {
  classifyVSphereFault,
  VSPHERE_FAULT_REASONS,
  vsphereFaults,
} from "../../../../stacks/vsphere/faults.js";
import { driftOf } from "../../../../stacks/vsphere/operations.js";
import { cloudConfig, guestinfoFor } from "../../../../stacks/vsphere/user-data.js";
import { desiredVms } from "../../../../stacks/vsphere/vm-set-plan.js";

const infraID = "edge-1a2b3";
const vms = desiredVms(infraID, { replicas: 1, cpus: 2, memoryMiB: 4096 }, [
  { name: "workers", replicas: 2, cpus: 2, memoryMiB: 2048 },
]);
const boot = {
  infraID,
  controlPlaneEndpoint: `${infraID}-master-0`,
  kubernetesVersion: "1.36",
  token: "abcdef.0123456789abcdef",
};

describe("vsphere guest user data", () => {
  it("initialises on the first control plane VM, joins elsewhere, and says where the API is through guestinfo", () => {
    const init = cloudConfig(vms[0]!, boot);
    expect(init).toContain(
      `kubeadm init --control-plane-endpoint ${infraID}-master-0:6443 --token abcdef.0123456789abcdef`,
    );
    expect(init).toContain("--kubernetes-version 1.36");
    expect(init).toContain("info-set guestinfo.slipway.apiURL");
    const join = cloudConfig(vms[1]!, boot);
    expect(join).toContain(`kubeadm join ${infraID}-master-0:6443 --token abcdef.0123456789abcdef`);
    expect(join).not.toContain("--control-plane");
    expect(join).not.toContain("guestinfo.slipway.apiURL");
  });

  it("is set as base64 guestinfo that cloud-init's VMware datasource reads", () => {
    const info = guestinfoFor(vms[2]!, boot);
    expect(info["guestinfo.userdata.encoding"]).toBe("base64");
    expect(Buffer.from(info["guestinfo.userdata"]!, "base64").toString()).toMatch(
      /^#cloud-config\nhostname: edge-1a2b3-workers-1\n/,
    );
    expect(Buffer.from(info["guestinfo.metadata"]!, "base64").toString()).toContain(
      "local-hostname: edge-1a2b3-workers-1",
    );
  });
});

describe("vsphere drift and fault rows", () => {
  const observed = (name: string, numCPU = 2, memoryMB = 2048) => ({
    id: name,
    name,
    powerState: "poweredOn" as const,
    numCPU,
    memoryMB,
    extraConfig: {},
  });

  it("names VMs missing, resized, and not wanted; nothing when the folder matches the spec", () => {
    const all = [
      observed(`${infraID}-master-0`, 2, 4096),
      observed(`${infraID}-workers-0`),
      observed(`${infraID}-workers-1`),
    ];
    expect(driftOf(vms, all)).toBe("");
    expect(
      driftOf(vms, [all[0]!, observed(`${infraID}-workers-1`, 4), observed(`${infraID}-workers-7`)]),
    ).toBe(
      `VMs missing: ${infraID}-workers-0; ${infraID}-workers-1 has 4 vCPUs and 2048 MiB, the spec asks for 2 and 2048; ` +
        `VMs the spec does not want: ${infraID}-workers-7`,
    );
  });

  it("the error table's rows retry exactly what classifyVSphereFault retries", () => {
    const samples = [
      new Vim25FaultError("Login", "InvalidLogin", ""),
      new Vim25FaultError("Login", "Transport", "SELF_SIGNED_CERT_IN_CHAIN"),
      new Vim25FaultError("FindByInventoryPath", "NotFound", ""),
      new Vim25FaultError("CloneVM_Task", "NoPermission", ""),
      new Vim25FaultError("CloneVM_Task", "NoDiskSpace", ""),
      new Vim25FaultError("CloneVM_Task", "Transport", "ECONNREFUSED"),
      new Vim25FaultError("CloneVM_Task", "TaskTimeout", ""),
      new Error("anything"),
    ];
    for (const sample of samples) {
      const { cause, retry } = classifyVSphereFault(sample);
      expect(vsphereFaults.find((row) => row.reason === VSPHERE_FAULT_REASONS[cause])?.retry, cause).toBe(
        retry,
      );
    }
    expect(vsphereFaults.find((row) => row.reason === "VSphereNameConflict")?.retry).toBe(false);
  });
});
