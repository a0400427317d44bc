import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterDeploymentReason } from "../../../../src/api/reasons.js";
import { classifyPulumiError } from "../../../../src/queue/pulumi-errors.js";
import { toolsBinDir } from "../../../../src/runtime/paths.js";
import { validateVSphereInputs } from "../../../../stacks/vsphere/inputs.js";
import * as operations from "../../../../stacks/vsphere/operations.js";
import { Vim25Client } from "../../../../stacks/vsphere/vim25/client.js";
import { INFRA_ID_KEY } from "../../../../stacks/vsphere/vm-set-plan.js";
import { GUEST_KIND_KEY } from "../../../../stacks/vsphere/simulated-guest.js";
import { startVcsim, startVcsimProxy, type Vcsim } from "../../../harness/vcsim.js";
import { testStateDir } from "../../../harness/hub.js";
import { join } from "node:path";
import { existsSync } from "node:fs";

/**
 * The vsphere provider's operations (what Pulumi's dynamic-provider process runs) against a real vcsim, without
 * Pulumi: the faults a person must fix stop with their reason and what to change, a vCenter that goes away
 * mid-clone is retried and the retry adopts the half-made VM instead of cloning twice, and a refresh finds VMs
 * powered off, resized or deleted behind Slipway's back in a few calls. The e2e (test/e2e/vsphere.test.ts) runs
 * the same operations through the worker and the Pulumi CLI.
 */
let vcsim: Vcsim;
const UID = "3e0c9a70-1b2c-4d3e-8f00-0000000000a1";

beforeAll(async () => {
  vcsim = await startVcsim();
});

afterAll(async () => {
  await vcsim?.stop();
});

function hostOf(url: string): string {
  return new URL(url).host;
}

function args(
  name: string,
  overrides: {
    url?: string;
    password?: string;
    ca?: string;
    template?: string;
    workers?: number;
    powerState?: "Running" | "Hibernating";
  } = {},
): operations.VSphereControlPlaneArgs {
  const inputs = validateVSphereInputs({
    clusterName: name,
    powerState: overrides.powerState ?? "Running",
    clusterUID: UID,
    dataDir: join(testStateDir(), "vsphere-operations", name),
    binDir: toolsBinDir,
    platform: {
      vCenter: hostOf(overrides.url ?? vcsim.url),
      datacenter: "DC0",
      cluster: "DC0_C0",
      defaultDatastore: "LocalDS_0",
      network: "VM Network",
      template: overrides.template ?? "DC0_C0_RP0_VM0",
      credentialsRef: { name: "vsphere-credentials" },
      certificatesRef: { name: "vsphere-ca" },
      controlPlane: { replicas: 1, cpus: 2, memoryMiB: 4096, diskGiB: 40 },
      nodePools: [
        { name: "workers", replicas: overrides.workers ?? 1, cpus: 2, memoryMiB: 2048, diskGiB: 30 },
      ],
    },
  });
  return {
    clusterName: inputs.clusterName,
    clusterUID: inputs.clusterUID,
    powerState: inputs.powerState,
    platform: inputs.platform,
    dataDir: inputs.dataDir,
    binDir: inputs.binDir,
    credentials: {
      username: vcsim.username,
      password: overrides.password ?? vcsim.password,
      "ca.crt": overrides.ca ?? vcsim.caPem,
    },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

async function vmsNamed(prefix: string) {
  const client = await Vim25Client.login({ ...vcsim });
  try {
    const folder = (await client.findByInventoryPath("DC0/vm"))!;
    return (await client.vmsInFolder(folder)).filter((vm) => vm.name.startsWith(prefix));
  } finally {
    await client.logout();
  }
}

describe("vsphere provider faults: a condition reason, and a stop or a retry as the error table says", () => {
  it.each([
    [
      "a wrong password",
      () => args("fault-a", { password: "not-the-password" }),
      ClusterDeploymentReason.VSphereLoginFailed,
      /correct username and password in the Secret spec\.platform\.vsphere\.credentialsRef names \(vsphere-credentials\)/,
    ],
    [
      "a CA that does not match",
      () => args("fault-b", { ca: vcsim.otherCaPem }),
      ClusterDeploymentReason.VSphereCertificateUntrusted,
      /does not verify against ca\.crt of Secret vsphere-ca/,
    ],
    [
      "a template that does not exist",
      () => args("fault-c", { template: "ubuntu-missing" }),
      ClusterDeploymentReason.VSphereInventoryNotFound,
      /template DC0\/vm\/ubuntu-missing.*fix spec\.platform\.vsphere/,
    ],
  ])("%s stalls", async (_what, make, reason, words) => {
    const error = await failureOf(operations.create(make()));
    expect(error.message.startsWith(`${reason}: `)).toBe(true);
    expect(error.message).toMatch(words);
    expect(error.message).not.toContain("not-the-password");
    expect(error.message).not.toContain(vcsim.password);
    // What the worker does with it (the provider's message reaches it inside the CLI's output).
    expect(classifyPulumiError(new Error(`error: ${error.message}`))).toMatchObject({ retry: false, reason });
    expect(await vmsNamed(`${make().clusterName}-`)).toEqual([]);
  });

  it("a full datastore stalls (vCenter's NoDiskSpace fault on the clone, through a proxy: vcsim has no free-space check)", async () => {
    const proxy = await startVcsimProxy(vcsim, (method) =>
      method === "CloneVM_Task"
        ? { fault: "NoDiskSpace", message: "There is not enough space on the datastore LocalDS_0." }
        : "pass",
    );
    try {
      const error = await failureOf(operations.create(args("fault-d", { url: proxy.url })));
      expect(error.message).toMatch(
        /^VSphereDatastoreFull: CloneVM_Task: NoDiskSpace: There is not enough space/,
      );
      expect(error.message).toMatch(
        /free space on the datastore or set spec\.platform\.vsphere\.defaultDatastore/,
      );
      expect(classifyPulumiError(new Error(`error: ${error.message}`))).toMatchObject({
        retry: false,
        reason: ClusterDeploymentReason.VSphereDatastoreFull,
      });
      expect(proxy.calls).toContain("Logout");
    } finally {
      await proxy.stop();
    }
  });

  it(
    "a vCenter gone mid-clone is retried, and the retry adopts the half-cloned VM instead of cloning it twice; " +
      "refresh then finds drift in 5 calls and the next update repairs it",
    async () => {
      let gone = false;
      let cut = false;
      const proxy = await startVcsimProxy(vcsim, (method) => {
        if (gone) return "drop";
        // The first clone reaches vCenter; then vCenter goes away before anyone learns how it ended.
        if (method === "CloneVM_Task" && !cut) gone = cut = true;
        return "pass";
      });
      const spec = args("midclone", { url: proxy.url });
      const infraID = `midclone-${UID.replace(/-/g, "").slice(0, 5)}`;
      try {
        const error = await failureOf(operations.create(spec));
        expect(error.message).toMatch(/^VSphereUnreachable: /);
        expect(classifyPulumiError(new Error(`error: ${error.message}`))).toMatchObject({
          retry: true,
          reason: ClusterDeploymentReason.VSphereUnreachable,
        });
        // The half-made VM is there, without the identity its clone spec carried.
        const left = await vmsNamed(`${infraID}-`);
        expect(left.map((vm) => vm.name)).toEqual([`${infraID}-master-0`]);

        gone = false;
        const clonesBefore = proxy.calls.filter((m) => m === "CloneVM_Task").length;
        const created = await operations.create(spec);
        expect(proxy.calls.filter((m) => m === "CloneVM_Task").length - clonesBefore).toBe(1); // the worker only
        const vms = await vmsNamed(`${infraID}-`);
        expect(vms.map((vm) => vm.name).sort()).toEqual([`${infraID}-master-0`, `${infraID}-workers-0`]);
        expect(vms.find((vm) => vm.name.endsWith("master-0"))!.ref.value).toBe(left[0]!.ref.value); // adopted
        expect(vms.every((vm) => vm.extraConfig[INFRA_ID_KEY] === infraID)).toBe(true);
        expect(vms.find((vm) => vm.name.endsWith("master-0"))!.extraConfig[GUEST_KIND_KEY]).toBe("simulated");
        expect(created.outs).toMatchObject({ powerState: "Running", infraID, guest: "simulated" });
        expect(created.outs.apiURL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        expect(created.outs.kubeconfig).toContain("certificate-authority-data");

        // Behind Slipway's back: the worker is resized and the control plane VM powered off.
        const client = await Vim25Client.login({ ...vcsim });
        const worker = vms.find((vm) => vm.name.endsWith("workers-0"))!;
        await client.reconfigure(worker.ref, { cpus: 4 });
        await client.powerOff(vms.find((vm) => vm.name.endsWith("master-0"))!.ref);
        await client.logout();
        const refreshed = await operations.read(created.id, created.outs);
        expect(refreshed.props).toMatchObject({
          powerState: "Stopped",
          drift: `${infraID}-workers-0 has 4 vCPUs and 2048 MiB, the spec asks for 2 and 2048`,
        });
        const calls = Object.values(refreshed.props!.soapCalls).reduce((a, b) => a + b, 0);
        expect(calls).toBe(5); // login 2, the folder, one listing of every VM, logout
        console.log(`vsphere refresh: ${calls} SOAP calls ${JSON.stringify(refreshed.props!.soapCalls)}`);
        // The simulated guest went down with its VM.
        expect((await await fetch(created.outs.apiURL).catch((e: Error) => e)) instanceof Error).toBe(true);

        expect((await operations.diff(refreshed.props!, spec)).changes).toBe(true);
        const repaired = await operations.update(refreshed.props!, spec);
        expect(repaired.outs).toMatchObject({ powerState: "Running", drift: "" });
        expect(repaired.outs.vms.map((vm) => [vm.name, vm.powerState, vm.cpus])).toEqual([
          [`${infraID}-master-0`, "poweredOn", 2],
          [`${infraID}-workers-0`, "poweredOn", 2],
        ]);
        // Deleted behind its back: refresh says which VM is missing.
        const c2 = await Vim25Client.login({ ...vcsim });
        const w = (await vmsNamed(`${infraID}-workers-0`))[0]!;
        await c2.powerOff(w.ref);
        await c2.destroy(w.ref);
        await c2.logout();
        const missing = await operations.read(created.id, repaired.outs);
        expect(missing.props?.drift).toBe(`VMs missing: ${infraID}-workers-0`);
      } finally {
        gone = false;
        // Delete takes what a create recorded; the args name everything it needs.
        await operations.remove(spec as unknown as operations.VSphereControlPlaneState);
        await proxy.stop();
      }
      expect(await vmsNamed(`${infraID}-`)).toEqual([]);
      expect(existsSync(spec.dataDir)).toBe(false);
    },
    120_000,
  );
});
