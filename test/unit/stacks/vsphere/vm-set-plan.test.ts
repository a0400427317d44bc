import { describe, expect, it } from "vitest";
import {
  CLUSTER_UID_KEY,
  INFRA_ID_KEY,
  desiredVms,
  observedPowerState,
  ownedVms,
  planVmSet,
  type ObservedVm,
} from "../../../../stacks/vsphere/vm-set-plan.js";

const identity = { infraID: "dev-a-5b0c1", clusterUID: "5b0c1a4e-0000-4000-8000-000000000001" };
const labels = { [INFRA_ID_KEY]: identity.infraID, [CLUSTER_UID_KEY]: identity.clusterUID };
const desired = desiredVms(identity.infraID, { replicas: 1, cpus: 4, memoryMiB: 8192 }, [
  { name: "workers", replicas: 2, cpus: 2, memoryMiB: 4096 },
]);

/** A VM of this cluster as the spec wants it, unless told otherwise. */
function vm(name: string, overrides: Partial<ObservedVm> = {}): ObservedVm {
  const want = desired.find((d) => d.name === name);
  return {
    id: `vm-${name}`,
    name,
    powerState: "poweredOn",
    numCPU: want?.cpus ?? 2,
    memoryMB: want?.memoryMiB ?? 4096,
    extraConfig: { ...labels },
    ...overrides,
  };
}

const all = () => desired.map((d) => vm(d.name));

describe("vsphere VM set plan", () => {
  it("names a control plane and each pool's workers after the infraID", () => {
    expect(desired.map((d) => [d.name, d.role, d.cpus])).toEqual([
      ["dev-a-5b0c1-master-0", "control-plane", 4],
      ["dev-a-5b0c1-workers-0", "worker", 2],
      ["dev-a-5b0c1-workers-1", "worker", 2],
    ]);
  });

  it("clones every VM of a new cluster, and nothing when all are there and on", () => {
    expect(planVmSet(identity, desired, "Running", []).actions.map((a) => a.kind)).toEqual([
      "clone",
      "clone",
      "clone",
    ]);
    expect(planVmSet(identity, desired, "Running", all())).toEqual({ actions: [], conflicts: [] });
  });

  it("adopts an interrupted clone (our name, no identity yet) instead of cloning it again", () => {
    const observed = [
      vm(desired[0]!.name, { extraConfig: {}, powerState: "poweredOff", numCPU: 1, memoryMB: 32 }),
    ];
    const { actions } = planVmSet(identity, desired, "Running", observed);
    expect(actions.filter((a) => a.kind !== "clone")).toEqual([
      { kind: "adopt", id: "vm-dev-a-5b0c1-master-0", vm: desired[0] },
      { kind: "powerOn", id: "vm-dev-a-5b0c1-master-0", name: "dev-a-5b0c1-master-0" },
    ]);
    expect(actions.filter((a) => a.kind === "clone")).toHaveLength(2);
  });

  it("refuses a name held by another cluster (or an earlier incarnation of this one)", () => {
    const earlier = vm(desired[0]!.name, { extraConfig: { ...labels, [CLUSTER_UID_KEY]: "another-uid" } });
    const plan = planVmSet(identity, desired, "Running", [earlier, ...all().slice(1)]);
    expect(plan.actions).toEqual([]);
    expect(plan.conflicts).toEqual([expect.objectContaining({ name: desired[0]!.name, id: earlier.id })]);
    expect(plan.conflicts[0]!.reason).toContain("another-uid");
  });

  it("repairs drift: a VM powered off, one deleted, one reconfigured", () => {
    const [master, w0] = all();
    const observed = [
      { ...master!, powerState: "poweredOff" as const },
      { ...w0!, numCPU: 8 },
    ];
    expect(planVmSet(identity, desired, "Running", observed).actions).toEqual([
      { kind: "powerOn", id: master!.id, name: master!.name },
      { kind: "resize", id: w0!.id, vm: desired[1], powerCycle: true },
      { kind: "clone", vm: desired[2] },
    ]);
  });

  it("hibernates by shutting every running VM down, and resumes by powering each on", () => {
    const hibernate = planVmSet(identity, desired, "Hibernating", all());
    expect(hibernate.actions.map((a) => a.kind)).toEqual(["shutdown", "shutdown", "shutdown"]);
    const off = all().map((v) => ({ ...v, powerState: "poweredOff" as const }));
    expect(planVmSet(identity, desired, "Hibernating", off).actions).toEqual([]);
    expect(planVmSet(identity, desired, "Running", off).actions.map((a) => a.kind)).toEqual([
      "powerOn",
      "powerOn",
      "powerOn",
    ]);
  });

  it("scales 2 to 3 workers by one clone, and 3 to 2 by removing only its own extra VM", () => {
    const three = desiredVms(identity.infraID, { replicas: 1, cpus: 4, memoryMiB: 8192 }, [
      { name: "workers", replicas: 3, cpus: 2, memoryMiB: 4096 },
    ]);
    expect(planVmSet(identity, three, "Running", all()).actions).toEqual([{ kind: "clone", vm: three[3] }]);

    const extra = vm("dev-a-5b0c1-workers-2");
    const strangers = [
      vm("someone-else", { extraConfig: {} }),
      vm("x-workers-9", { extraConfig: { [INFRA_ID_KEY]: "x" } }),
    ];
    expect(planVmSet(identity, desired, "Running", [...all(), extra, ...strangers]).actions).toEqual([
      { kind: "remove", id: extra.id, name: extra.name, poweredOn: true },
    ]);
    expect(ownedVms(identity, [...all(), ...strangers])).toHaveLength(3);
  });

  it("reports Running, Hibernating, or Stopped when a VM is off or gone against a Running spec", () => {
    const on = all();
    const off = on.map((v) => ({ ...v, powerState: "poweredOff" as const }));
    expect(observedPowerState(desired, "Running", on)).toBe("Running");
    expect(observedPowerState(desired, "Running", [off[0]!, ...on.slice(1)])).toBe("Stopped");
    expect(observedPowerState(desired, "Running", on.slice(1))).toBe("Stopped");
    expect(observedPowerState(desired, "Hibernating", off)).toBe("Hibernating");
    expect(observedPowerState(desired, "Hibernating", [on[0]!, ...off.slice(1)])).toBe("Running");
  });
});
