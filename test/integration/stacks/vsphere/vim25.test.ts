import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Vim25FaultError } from "../../../../src/errors/index.js";
import { Vim25Client } from "../../../../stacks/vsphere/vim25/client.js";
import { classifyVSphereFault } from "../../../../stacks/vsphere/faults.js";
import { inventoryPaths } from "../../../../stacks/vsphere/inputs.js";
import { applyVmSet, findPlacement, removeVmSet } from "../../../../stacks/vsphere/vm-set.js";
import { desiredVms, INFRA_ID_KEY } from "../../../../stacks/vsphere/vm-set-plan.js";
import type { MoRef } from "../../../../stacks/vsphere/vim25/soap-codec.js";
import { eventually } from "../../../harness/eventually.js";
import { startVcsim, type Vcsim } from "../../../harness/vcsim.js";

/**
 * The typed vim25 client against a real vcsim on 127.0.0.1 (one for the file), call by call, with the SOAP calls
 * each operation costs. vcsim's default inventory: DC0, cluster DC0_C0, VM DC0_C0_RP0_VM0 as the template.
 */
let vcsim: Vcsim;
const figures: Record<string, number> = {};

beforeAll(async () => {
  vcsim = await startVcsim();
});

afterAll(async () => {
  await vcsim?.stop();
  console.log(`vim25 SOAP calls per operation against vcsim: ${JSON.stringify(figures)}`);
});

function login(overrides: { password?: string; caPem?: string } = {}) {
  return Vim25Client.login({
    url: vcsim.url,
    caPem: overrides.caPem ?? vcsim.caPem,
    username: vcsim.username,
    password: overrides.password ?? vcsim.password,
    requestTimeoutMs: 10_000,
  });
}

/** The calls one operation makes on a client. */
async function counted<T>(client: Vim25Client, name: string, op: () => Promise<T>): Promise<T> {
  const before = client.transport.totalCalls;
  const result = await op();
  figures[name] = client.transport.totalCalls - before;
  return result;
}

async function faultOf(promise: Promise<unknown>): Promise<Vim25FaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Vim25FaultError);
  return error as Vim25FaultError;
}

describe("vim25 client against vcsim", () => {
  it("logs in with the vCenter's CA and logs out; the session is gone after", async () => {
    const client = await login();
    figures.login = client.transport.totalCalls;
    expect(figures.login).toBe(2);
    await counted(client, "logout", () => client.logout());
    const fault = await faultOf(client.findByInventoryPath("DC0"));
    expect(fault.fault).toBe("NotAuthenticated");
  });

  it("refuses a wrong password as InvalidLogin, without the password in the message", async () => {
    const fault = await faultOf(login({ password: "not-the-password" }));
    expect(fault.fault).toBe("InvalidLogin");
    expect(classifyVSphereFault(fault)).toEqual({ retry: false, cause: "LoginFailed" });
    expect(fault.message).not.toContain("not-the-password");
    expect(fault.message).not.toContain(vcsim.password);
  });

  it("refuses a certificate its CA does not sign, and a system-roots client too", async () => {
    const fault = await faultOf(login({ caPem: vcsim.otherCaPem }));
    expect(fault.fault).toBe("Transport");
    expect(fault.message).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    expect(classifyVSphereFault(fault)).toEqual({ retry: false, cause: "CertificateUntrusted" });
    const systemRoots = await faultOf(
      Vim25Client.login({ url: vcsim.url, username: vcsim.username, password: vcsim.password }),
    );
    expect(systemRoots.fault).toBe("Transport");
  });

  describe("in one session", () => {
    let client: Vim25Client;
    let refs: Record<"template" | "folder" | "pool" | "datastore" | "network", MoRef>;

    beforeAll(async () => {
      client = await login();
      const paths = {
        template: "DC0/vm/DC0_C0_RP0_VM0",
        folder: "DC0/vm",
        pool: "DC0/host/DC0_C0/Resources",
        datastore: "DC0/datastore/LocalDS_0",
        network: "DC0/network/VM Network",
      };
      const found = await counted(client, "find 5 inventory paths", async () => {
        const out: Record<string, MoRef | undefined> = {};
        for (const [k, path] of Object.entries(paths)) out[k] = await client.findByInventoryPath(path);
        return out;
      });
      for (const [k, ref] of Object.entries(found)) expect(ref, k).toBeDefined();
      refs = found as typeof refs;
    });

    afterAll(async () => {
      await client?.logout();
    });

    it("finds inventory paths by type, and nothing for a missing template", async () => {
      expect(refs.template.type).toBe("VirtualMachine");
      expect(refs.folder.type).toBe("Folder");
      expect(refs.pool.type).toBe("ResourcePool");
      expect(refs.datastore.type).toBe("Datastore");
      expect(refs.network.type).toBe("Network");
      expect(await client.findByInventoryPath("DC0/vm/no-such-template")).toBeUndefined();

      // The spec's names as paths (inputs.ts), found with one call each; a missing template is named.
      const spec = {
        datacenter: "DC0",
        cluster: "DC0_C0",
        defaultDatastore: "LocalDS_0",
        template: "DC0_C0_RP0_VM0",
      } as Parameters<typeof inventoryPaths>[0];
      const placement = await counted(client, "find placement (4 paths)", () =>
        findPlacement(client, inventoryPaths(spec)),
      );
      expect(placement).toEqual({
        template: refs.template,
        folder: refs.folder,
        resourcePool: refs.pool,
        datastore: refs.datastore,
      });
      const missing = await faultOf(
        findPlacement(client, inventoryPaths({ ...spec, template: "no-such-template" })),
      );
      expect(missing.fault).toBe("NotFound");
      expect(missing.message).toContain("template DC0/vm/no-such-template");
      expect(classifyVSphereFault(missing)).toEqual({ retry: false, cause: "InventoryNotFound" });

      // A distributed port group is reached by its switch's uuid and its key.
      const dvpg = (await client.findByInventoryPath("DC0/network/DC0_DVPG0"))!;
      expect(dvpg.type).toBe("DistributedVirtualPortgroup");
      const edit = await counted(client, "NIC edit for a distributed port group", () =>
        client.nicOnNetwork(refs.template, dvpg, "DC0_DVPG0"),
      );
      expect(edit).toMatchObject({
        operation: "edit",
        device: {
          backing: {
            $type: "VirtualEthernetCardDistributedVirtualPortBackingInfo",
            port: { portgroupKey: dvpg.value, switchUuid: expect.stringMatching(/^[0-9a-f-]{36}$/) },
          },
        },
      });
    });

    it("clones with size and identity, powers off by guest shutdown and on again, destroys", async () => {
      const identity = {
        "slipway.infraID": "dev-a-x1y2z",
        "slipway.clusterUID": "5b0c1a4e-0000-4000-8000-000000000001",
        "guestinfo.userdata": Buffer.from("#cloud-config\n").toString("base64"),
        "guestinfo.userdata.encoding": "base64",
      };
      const nic = await counted(client, "NIC edit for a standard port group", () =>
        client.nicOnNetwork(refs.template, refs.network, "VM Network"),
      );
      expect(nic).toBeDefined();
      const vm = await counted(client, "clone (task waited)", () =>
        client.cloneVm(refs.template, {
          name: "dev-a-x1y2z-master-0",
          folder: refs.folder,
          resourcePool: refs.pool,
          datastore: refs.datastore,
          cpus: 2,
          memoryMiB: 2048,
          extraConfig: identity,
          deviceChange: [nic!],
          powerOn: true,
        }),
      );
      // The clone's NIC is on the spec's network (the template's is on the distributed port group).
      const clonedNic = (await client.devices(vm)).find((d) => /E1000|Vmxnet/.test(d.type));
      expect(clonedNic?.node).toMatchObject({ backing: { network: { "#text": refs.network.value } } });
      expect(vm.type).toBe("VirtualMachine");
      // vcsim v0.46.3 ignores the clone spec's config and powerOn (a real vCenter applies them in the clone), so the
      // VM is brought to its spec as drift would be repaired: reconfigure, then power on.
      const asCloned = await client.vm(vm);
      expect(asCloned).toMatchObject({ name: "dev-a-x1y2z-master-0", powerState: "poweredOff" });
      await counted(client, "reconfigure size and extraConfig (task waited)", () =>
        client.reconfigure(vm, { cpus: 2, memoryMiB: 2048, extraConfig: identity }),
      );
      await counted(client, "power on (task waited)", () => client.powerOn(vm));

      const inFolder = await counted(client, "refresh (every VM in the folder)", () =>
        client.vmsInFolder(refs.folder),
      );
      const cloned = inFolder.find((v) => v.ref.value === vm.value);
      expect(cloned).toMatchObject({
        name: "dev-a-x1y2z-master-0",
        powerState: "poweredOn",
        numCPU: 2,
        memoryMB: 2048,
      });
      expect(cloned!.extraConfig).toMatchObject(identity);
      expect(figures["refresh (every VM in the folder)"]).toBe(1); // one call, however many VMs and properties
      expect(inFolder.length).toBeGreaterThan(1); // the template and vcsim's other VMs too

      await counted(client, "guest shutdown", () => client.shutdownGuest(vm));
      // The guest goes down after the call returns, in vcsim's own time: waited for with the harness default.
      await eventually("the VM powered off by its guest's shutdown", async () =>
        (await client.vm(vm))?.powerState === "poweredOff" ? true : undefined,
      );

      await client.powerOn(vm);
      expect((await counted(client, "read one VM", () => client.vm(vm)))?.powerState).toBe("poweredOn");
      await counted(client, "power off (task waited)", () => client.powerOff(vm));

      const stateFault = await faultOf(client.powerOff(vm));
      expect(stateFault.fault).toBe("InvalidPowerState");
      expect(classifyVSphereFault(stateFault).retry).toBe(true);

      await counted(client, "destroy (task waited)", () => client.destroy(vm));
      expect(await client.vm(vm)).toBeUndefined();
      expect((await client.vmsInFolder(refs.folder)).some((v) => v.ref.value === vm.value)).toBe(false);
    });

    it("brings a VM set to its spec: create, adopt an interrupted clone, drift, hibernate, resume, scale, delete", async () => {
      const identity = { infraID: "set-b-7c1d2", clusterUID: "7c1d2000-0000-4000-8000-000000000002" };
      const placement = {
        template: refs.template,
        folder: refs.folder,
        resourcePool: refs.pool,
        datastore: refs.datastore,
        deviceChange: [(await client.nicOnNetwork(refs.template, refs.network, "VM Network"))!],
      };
      const spec = (workers: number) =>
        desiredVms(identity.infraID, { replicas: 1, cpus: 2, memoryMiB: 4096 }, [
          { name: "workers", replicas: workers, cpus: 2, memoryMiB: 2048 },
        ]);
      const options = {
        guestinfo: () => ({ "guestinfo.userdata.encoding": "base64" }),
        shutdownTimeoutMs: 5_000,
        shutdownPollMs: 50,
      };
      const ours = (vms: { name: string }[]) => vms.map((v) => v.name).sort();

      // An earlier attempt cloned the first VM and went away before its config landed.
      await client.cloneVm(refs.template, {
        name: `${identity.infraID}-master-0`,
        folder: refs.folder,
        resourcePool: refs.pool,
        datastore: refs.datastore,
        cpus: 2,
        memoryMiB: 4096,
        extraConfig: {},
        powerOn: false,
      });
      const created = await counted(client, "VM set create, 1+2 VMs (one adopted)", () =>
        applyVmSet(client, placement, identity, spec(2), "Running", options),
      );
      expect(ours(created.vms)).toEqual([
        "set-b-7c1d2-master-0",
        "set-b-7c1d2-workers-0",
        "set-b-7c1d2-workers-1",
      ]);
      for (const v of created.vms) {
        expect(v).toMatchObject({ powerState: "poweredOn", numCPU: 2 });
        expect(v.extraConfig[INFRA_ID_KEY]).toBe(identity.infraID);
      }
      for (const v of created.vms) {
        // The adopted VM too: adoption writes what the clone spec would have.
        const nic = (await client.devices(v.ref)).find((d) => /E1000|Vmxnet/.test(d.type));
        expect(nic?.node, v.name).toMatchObject({ backing: { network: { "#text": refs.network.value } } });
      }
      const listing = await client.vmsInFolder(refs.folder);
      expect(listing.filter((v) => v.name === "set-b-7c1d2-master-0")).toHaveLength(1); // adopted, not cloned twice

      const steady = await counted(client, "VM set up with nothing to do", () =>
        applyVmSet(client, placement, identity, spec(2), "Running", options),
      );
      expect(steady.passes).toBe(1);

      // Drift: one VM powered off behind Slipway's back is powered on again.
      await client.powerOff(created.vms[1]!.ref);
      const repaired = await counted(client, "VM set repair of one VM powered off", () =>
        applyVmSet(client, placement, identity, spec(2), "Running", options),
      );
      expect(repaired.vms.every((v) => v.powerState === "poweredOn")).toBe(true);

      const hibernated = await counted(client, "VM set hibernate (guest shutdown)", () =>
        applyVmSet(client, placement, identity, spec(2), "Hibernating", options),
      );
      expect(hibernated.vms.map((v) => v.powerState)).toEqual(["poweredOff", "poweredOff", "poweredOff"]);
      const resumed = await counted(client, "VM set resume", () =>
        applyVmSet(client, placement, identity, spec(2), "Running", options),
      );
      expect(resumed.vms.every((v) => v.powerState === "poweredOn")).toBe(true);

      const scaled = await counted(client, "VM set scale 2 to 3 workers", () =>
        applyVmSet(client, placement, identity, spec(3), "Running", options),
      );
      expect(ours(scaled.vms)).toHaveLength(4);

      const removed = await counted(client, "VM set delete (4 VMs)", () =>
        removeVmSet(client, refs.folder, identity),
      );
      expect(removed).toBe(4);
      expect((await client.vmsInFolder(refs.folder)).some((v) => v.name.startsWith(identity.infraID))).toBe(
        false,
      );
    });
  });
});
