import { Vim25FaultError } from "../../../src/errors/index.js";
import {
  field,
  list,
  moRef,
  text,
  xsdString,
  xsiType,
  toSoapValue,
  type DataObject,
  type MoRef,
  type XmlNode,
} from "./soap-codec.js";
import { SoapTransport, type SoapTransportOptions } from "./soap-transport.js";

export interface Vim25LoginOptions extends SoapTransportOptions {
  username: string;
  /** Sent once, in the Login call; never logged, never in an error message. */
  password: string;
}

export type VmPowerState = "poweredOn" | "poweredOff" | "suspended";

/** What a refresh reads of one VM, in one PropertyCollector call for all of a folder's VMs. */
export interface VmSummary {
  ref: MoRef;
  name: string;
  powerState: VmPowerState;
  numCPU: number;
  memoryMB: number;
  /** The VM's extraConfig (`slipway.infraID`, `guestinfo.*` ...). */
  extraConfig: Record<string, string>;
}

export interface CloneVmSpec {
  name: string;
  folder: MoRef;
  resourcePool: MoRef;
  datastore: MoRef;
  cpus: number;
  memoryMiB: number;
  /** Written with the clone, in the same task, so a VM never exists without them. */
  extraConfig: Record<string, string>;
  /** Device edits made with the clone (the NIC attached to the spec's network: `nicOnNetwork`). */
  deviceChange?: DataObject[];
  powerOn: boolean;
}

/** One virtual device as the server reported it: its type, key, and the whole element to edit and send back. */
export interface VirtualDevice {
  type: string;
  key: number;
  node: XmlNode;
}

export interface TaskWaitOptions {
  /** Give up (the task keeps running on the server) after this long. */
  timeoutMs?: number;
  /** First poll delay; doubles up to 1 s. */
  pollMs?: number;
}

/** The properties a refresh reads: one entry per VM, whatever the number of VMs. */
const VM_PROPERTIES = [
  "name",
  "runtime.powerState",
  "config.hardware.numCPU",
  "config.hardware.memoryMB",
  "config.extraConfig",
];

/**
 * A typed client over the vim25 calls the vsphere platform uses. One instance is one session: `login` opens it
 * (RetrieveServiceContent + Login), `logout` closes it. Tasks are waited for by polling the task's `info` with the
 * PropertyCollector (one call per poll, bounded), which on short tasks costs fewer calls than a
 * CreateFilter / WaitForUpdatesEx / DestroyPropertyFilter round.
 */
export class Vim25Client {
  private constructor(
    readonly transport: SoapTransport,
    private readonly content: { propertyCollector: MoRef; searchIndex: MoRef; sessionManager: MoRef },
  ) {}

  static async login(options: Vim25LoginOptions): Promise<Vim25Client> {
    const { username, password, ...transportOptions } = options;
    const transport = new SoapTransport(transportOptions);
    const serviceContent = await transport.call("RetrieveServiceContent", {
      type: "ServiceInstance",
      value: "ServiceInstance",
    });
    const ref = (name: string): MoRef => {
      const r = moRef(field(serviceContent, name));
      if (!r)
        throw new Vim25FaultError(
          "RetrieveServiceContent",
          "Transport",
          `the service content has no ${name}`,
        );
      return r;
    };
    const client = new Vim25Client(transport, {
      propertyCollector: ref("propertyCollector"),
      searchIndex: ref("searchIndex"),
      sessionManager: ref("sessionManager"),
    });
    await transport.call("Login", client.content.sessionManager, { userName: username, password });
    return client;
  }

  async logout(): Promise<void> {
    await this.transport.call("Logout", this.content.sessionManager);
    this.transport.clearSession();
  }

  /** The object at an inventory path (`DC0/vm/templates/ubuntu`), or undefined. One call. */
  async findByInventoryPath(path: string): Promise<MoRef | undefined> {
    return moRef(
      await this.transport.call("FindByInventoryPath", this.content.searchIndex, { inventoryPath: path }),
    );
  }

  /**
   * Properties of objects, in one RetrievePropertiesEx (plus ContinueRetrievePropertiesEx for each further page
   * of a large answer). `objectSet` entries may traverse (a folder's children).
   */
  async retrieve(
    propSet: DataObject[],
    objectSet: DataObject[],
  ): Promise<{ obj: MoRef; props: Map<string, XmlNode | XmlNode[] | undefined> }[]> {
    const out: { obj: MoRef; props: Map<string, XmlNode | XmlNode[] | undefined> }[] = [];
    let result = await this.transport.call("RetrievePropertiesEx", this.content.propertyCollector, {
      specSet: { propSet, objectSet },
      options: {},
    });
    for (;;) {
      for (const object of list(field(result, "objects"))) {
        const obj = moRef(field(object, "obj"));
        if (!obj) continue;
        const props = new Map<string, XmlNode | XmlNode[] | undefined>();
        for (const p of list(field(object, "propSet"))) {
          const name = text(field(p, "name"));
          if (name) props.set(name, field(p, "val"));
        }
        out.push({ obj, props });
      }
      const token = text(field(result, "token"));
      if (!token) return out;
      result = await this.transport.call("ContinueRetrievePropertiesEx", this.content.propertyCollector, {
        token,
      });
    }
  }

  /** Every VM directly in a folder, with what a refresh needs: one call however many VMs there are. */
  async vmsInFolder(folder: MoRef): Promise<VmSummary[]> {
    const found = await this.retrieve(
      [{ type: "VirtualMachine", all: false, pathSet: VM_PROPERTIES }],
      [
        {
          obj: folder,
          skip: true,
          selectSet: [
            {
              $type: "TraversalSpec",
              name: "folderChildren",
              type: "Folder",
              path: "childEntity",
              skip: false,
            },
          ],
        },
      ],
    );
    return found
      .filter(({ obj }) => obj.type === "VirtualMachine")
      .map(({ obj, props }) => vmSummary(obj, props));
  }

  /** One VM's summary, or undefined when it is gone. One call. */
  async vm(ref: MoRef): Promise<VmSummary | undefined> {
    try {
      const [found] = await this.retrieve(
        [{ type: "VirtualMachine", all: false, pathSet: VM_PROPERTIES }],
        [{ obj: ref, skip: false }],
      );
      return found ? vmSummary(found.obj, found.props) : undefined;
    } catch (error) {
      if (error instanceof Vim25FaultError && error.fault === "ManagedObjectNotFound") return undefined;
      throw error;
    }
  }

  /** Clones a VM or template and waits for the task: the new VM. */
  async cloneVm(source: MoRef, spec: CloneVmSpec, wait?: TaskWaitOptions): Promise<MoRef> {
    const task = await this.startTask("CloneVM_Task", source, {
      folder: spec.folder,
      name: spec.name,
      spec: {
        // The schema's order: location, template, config, customization, powerOn.
        location: { datastore: spec.datastore, pool: spec.resourcePool },
        template: false,
        config: configSpec({ ...spec, deviceChange: spec.deviceChange }),
        powerOn: spec.powerOn,
      },
    });
    const result = await this.waitForTask(task, wait, "CloneVM_Task");
    const vm = moRef(result);
    if (!vm) throw new Vim25FaultError("CloneVM_Task", "Transport", "the task succeeded without a VM");
    return vm;
  }

  /** A VM's (or template's) virtual devices. One call. */
  async devices(vm: MoRef): Promise<VirtualDevice[]> {
    const [found] = await this.retrieve(
      [{ type: "VirtualMachine", all: false, pathSet: ["config.hardware.device"] }],
      [{ obj: vm, skip: false }],
    );
    return list(field(found?.props.get("config.hardware.device"), "VirtualDevice")).map((node) => ({
      type: xsiType(node) ?? "VirtualDevice",
      key: Number(text(field(node, "key"))),
      node,
    }));
  }

  /**
   * The device edit that attaches a VM's first NIC to a network: a standard port group (`Network`) by name, a
   * distributed one by its switch's uuid and its key (two more calls). Sent with the clone, so the VM is on the
   * spec's network from its first power-on. Undefined when the template has no NIC.
   */
  async nicOnNetwork(template: MoRef, network: MoRef, networkName: string): Promise<DataObject | undefined> {
    const nic = (await this.devices(template)).find((d) => field(d.node, "macAddress") !== undefined);
    if (!nic) return undefined;
    let backing: DataObject;
    if (network.type === "DistributedVirtualPortgroup") {
      const [pg] = await this.retrieve(
        [
          {
            type: "DistributedVirtualPortgroup",
            all: false,
            pathSet: ["key", "config.distributedVirtualSwitch"],
          },
        ],
        [{ obj: network, skip: false }],
      );
      const dvs = moRef(pg?.props.get("config.distributedVirtualSwitch"));
      const portgroupKey = text(pg?.props.get("key"));
      const [sw] = dvs
        ? await this.retrieve(
            [{ type: dvs.type, all: false, pathSet: ["uuid"] }],
            [{ obj: dvs, skip: false }],
          )
        : [];
      const switchUuid = text(sw?.props.get("uuid"));
      if (!switchUuid || !portgroupKey) {
        throw new Vim25FaultError(
          "RetrievePropertiesEx",
          "NotFound",
          `no switch for port group ${networkName}`,
        );
      }
      backing = {
        $type: "VirtualEthernetCardDistributedVirtualPortBackingInfo",
        port: { switchUuid, portgroupKey },
      };
    } else {
      backing = { $type: "VirtualEthernetCardNetworkBackingInfo", deviceName: networkName, network };
    }
    const device = toSoapValue(nic.node) as DataObject;
    device.backing = backing;
    return { operation: "edit", device };
  }

  /**
   * Sets a VM's size and extraConfig (keys not named are left alone). Repairs a VM reconfigured behind Slipway's
   * back, and completes a clone on a server that ignored the clone spec's config (vcsim v0.46.3 does: its
   * CloneVM_Task copies it into a discarded value, simulator/virtual_machine.go).
   */
  async reconfigure(
    vm: MoRef,
    spec: {
      cpus?: number;
      memoryMiB?: number;
      deviceChange?: DataObject[];
      extraConfig?: Record<string, string>;
    },
    wait?: TaskWaitOptions,
  ): Promise<void> {
    const task = await this.startTask("ReconfigVM_Task", vm, { spec: configSpec(spec) });
    await this.waitForTask(task, wait, "ReconfigVM_Task");
  }

  async powerOn(vm: MoRef, wait?: TaskWaitOptions): Promise<void> {
    await this.waitForTask(await this.startTask("PowerOnVM_Task", vm), wait, "PowerOnVM_Task");
  }

  async powerOff(vm: MoRef, wait?: TaskWaitOptions): Promise<void> {
    await this.waitForTask(await this.startTask("PowerOffVM_Task", vm), wait, "PowerOffVM_Task");
  }

  /** Asks the guest OS to shut down (VMware Tools); returns at once, the VM powers off when the guest is done. */
  async shutdownGuest(vm: MoRef): Promise<void> {
    await this.transport.call("ShutdownGuest", vm);
  }

  /** Deletes a powered-off VM and its disks. */
  async destroy(vm: MoRef, wait?: TaskWaitOptions): Promise<void> {
    await this.waitForTask(await this.startTask("Destroy_Task", vm), wait, "Destroy_Task");
  }

  private async startTask(method: string, self: MoRef, args?: DataObject): Promise<MoRef> {
    const task = moRef(await this.transport.call(method, self, args));
    if (!task) throw new Vim25FaultError(method, "Transport", "no task in the answer");
    return task;
  }

  /** Polls the task's info until it succeeds (its result) or fails (its fault as Vim25FaultError), bounded. */
  async waitForTask(
    task: MoRef,
    { timeoutMs = 600_000, pollMs = 25 }: TaskWaitOptions = {},
    method = "Task",
  ): Promise<XmlNode | XmlNode[] | undefined> {
    const deadline = Date.now() + timeoutMs;
    let delay = pollMs;
    for (;;) {
      const [found] = await this.retrieve(
        [{ type: "Task", all: false, pathSet: ["info"] }],
        [{ obj: task, skip: false }],
      );
      const info = found?.props.get("info");
      const state = text(field(info, "state"));
      if (state === "success") return field(info, "result");
      if (state === "error") {
        const error = field(info, "error");
        throw new Vim25FaultError(
          method,
          xsiType(field(error, "fault")) ?? "TaskFailed",
          text(field(error, "localizedMessage")) ?? "",
        );
      }
      if (Date.now() + delay > deadline) {
        throw new Vim25FaultError(
          method,
          "TaskTimeout",
          `task ${task.value} still ${state ?? "unknown"} after ${timeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1_000);
    }
  }
}

/** A VirtualMachineConfigSpec with the fields Slipway sets, in the schema's order. */
function configSpec(spec: {
  cpus?: number;
  memoryMiB?: number;
  deviceChange?: DataObject[];
  extraConfig?: Record<string, string>;
}): DataObject {
  return {
    numCPUs: spec.cpus,
    memoryMB: spec.memoryMiB,
    deviceChange: spec.deviceChange,
    extraConfig: Object.entries(spec.extraConfig ?? {}).map(([key, value]) => ({
      $type: "OptionValue",
      key,
      value: xsdString(value),
    })),
  };
}

function vmSummary(ref: MoRef, props: Map<string, XmlNode | XmlNode[] | undefined>): VmSummary {
  const extraConfig: Record<string, string> = {};
  for (const option of list(field(props.get("config.extraConfig"), "OptionValue"))) {
    const key = text(field(option, "key"));
    if (key) extraConfig[key] = text(field(option, "value")) ?? "";
  }
  return {
    ref,
    name: text(props.get("name")) ?? "",
    powerState: (text(props.get("runtime.powerState")) ?? "poweredOff") as VmPowerState,
    numCPU: Number(text(props.get("config.hardware.numCPU")) ?? 0),
    memoryMB: Number(text(props.get("config.hardware.memoryMB")) ?? 0),
    extraConfig,
  };
}
