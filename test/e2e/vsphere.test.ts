/**
 * Slow: one vsphere cluster's whole life through the real controller, worker and Pulumi CLI against vcsim (create
 * with its simulated guest and OCM's real agent, hibernate, resume, scale, drift repair, delete), a wrong password,
 * and a pool with a claim (two clusters: the claimed one and its refill), on one vcsim and one Slipway. Measured
 * 167 s + 17 s + 155 s with the 2-core machine at load 35-60 from other suites: every step is a Pulumi run (about
 * 3 s of CLI alone) and a guest start is a real control plane (4 s alone, 12-19 s under that load). Not split into
 * more files: they would each start a vcsim, a Slipway and a guest.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterClaim, ClusterDeployment } from "../../src/api/index.js";
import { clusterClaimResource, clusterDeploymentResource, secretResource } from "../../src/api/resources.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { repoRoot } from "../../src/runtime/paths.js";
import type { KubeObject } from "../../src/runtime/resource.js";
import { Vim25Client, type VmSummary } from "../../stacks/vsphere/vim25/client.js";
import { CLUSTER_UID_KEY, INFRA_ID_KEY } from "../../stacks/vsphere/vm-set-plan.js";
import { GUEST_KIND_KEY } from "../../stacks/vsphere/simulated-guest.js";
import { clusterClaim } from "../builders/cluster-claim.js";
import { clusterPool } from "../builders/cluster-pool.js";
import { deleteClustersThenStop, slipwayUnderTest, type SlipwayUnderTest } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { applyIn, hubKubeConfig, kubectl, kubectlOk } from "../harness/hub.js";
import { spokeKubectl } from "../harness/spoke.js";
import { startVcsim, type Vcsim } from "../harness/vcsim.js";

const TEMPLATE = "ubuntu-2404-kube-v1.36";

describe("ClusterDeployment on vsphere against vcsim, end to end", () => {
  let vcsim: Vcsim;
  let sut: SlipwayUnderTest;
  let kube: KubeClient;
  let ns: string;

  beforeAll(async () => {
    vcsim = await startVcsim();
    // Preparing a template (docs/platforms/vsphere.md): here, a clone of one of vcsim's VMs under the example's name.
    const client = await vcenter();
    const source = (await client.findByInventoryPath("DC0/vm/DC0_C0_RP0_VM0"))!;
    await client.cloneVm(source, {
      name: TEMPLATE,
      folder: (await client.findByInventoryPath("DC0/vm"))!,
      resourcePool: (await client.findByInventoryPath("DC0/host/DC0_C0/Resources"))!,
      datastore: (await client.findByInventoryPath("DC0/datastore/LocalDS_0"))!,
      cpus: 2,
      memoryMiB: 2048,
      extraConfig: {},
      powerOn: false,
    });
    await client.logout();
    // A short resync: the periodic refresh that finds a VM powered off behind Slipway's back comes within seconds.
    sut = await slipwayUnderTest("e2e-vsphere", {
      SLIPWAY_LEADER_ELECTION: "false",
      SLIPWAY_RESYNC_SECONDS: "10",
    });
    sut.controller();
    sut.worker();
    kube = new KubeClient(hubKubeConfig());
    ns = sut.namespace;
    await secret("vsphere-credentials", { username: vcsim.username, password: vcsim.password });
    await secret("vsphere-ca", { "ca.crt": vcsim.caPem });
  });

  afterAll(async () => {
    await kubectl(["delete", "-n", ns, "clusterclaims,clusterpools", "--all", "--timeout=60s"]);
    await deleteClustersThenStop(sut, ns);
    await vcsim?.stop();
  });

  function vcenter(): Promise<Vim25Client> {
    return Vim25Client.login({ ...vcsim });
  }

  async function secret(name: string, data: Record<string, string>): Promise<void> {
    await applyIn(ns, { apiVersion: "v1", kind: "Secret", metadata: { name }, stringData: data });
  }

  /** The VMs whose name starts with the infraID, from one listing of the folder, by name. */
  async function vmsOf(infraID: string): Promise<VmSummary[]> {
    const client = await vcenter();
    try {
      const vms = await client.vmsInFolder((await client.findByInventoryPath("DC0/vm"))!);
      return vms
        .filter((vm) => vm.name.startsWith(`${infraID}-`))
        .sort((a, b) => a.name.localeCompare(b.name));
    } finally {
      await client.logout();
    }
  }

  const get = (name: string) => kube.get<ClusterDeployment>(clusterDeploymentResource, ns, name);
  const condition = (cd: ClusterDeployment, type: string) =>
    getCondition(cd.status?.conditions as never, type);
  const readyAt = (name: string, generation?: number) =>
    eventually(
      `${name} Ready${generation ? ` at generation ${generation}` : ""}`,
      async () => {
        const cd = await get(name);
        const ready = condition(cd, "Ready")?.status === "True";
        return ready && (!generation || cd.status?.observedGeneration === generation) ? cd : undefined;
      },
      240_000,
      1_000,
    );
  const patch = (name: string, spec: object) =>
    kube.patch(clusterDeploymentResource, ns, name, { spec }, { type: "merge" });

  it(
    "examples/cluster-deployment-vsphere.yaml: created with its VMs, Ready, registered and bootstrapped, hibernated, " +
      "resumed, scaled from 2 to 3 workers, repaired after a VM was powered off behind its back, deleted",
    async () => {
      const t0 = Date.now();
      const mark = (what: string) =>
        console.log(`vsphere e2e +${((Date.now() - t0) / 1000).toFixed(1)} s ${what}`);
      const example = parse(
        readFileSync(join(repoRoot, "examples", "cluster-deployment-vsphere.yaml"), "utf8"),
      );
      example.spec.platform.vsphere.vCenter = new URL(vcsim.url).host;
      await applyIn(ns, example);
      const name = example.metadata.name as string;

      const ready = await readyAt(name);
      mark("Ready");
      expect(condition(ready, "Registered")?.status).toBe("True");
      expect(condition(ready, "Bootstrapped")).toMatchObject({ status: "True", reason: "NoPoliciesSelect" });
      const infraID = ready.status!.infraID!;
      expect(infraID).toMatch(/^edge-store-42-[0-9a-f]{5}$/);
      const vms = await vmsOf(infraID);
      expect(vms.map((vm) => [vm.name, vm.powerState, vm.numCPU, vm.memoryMB])).toEqual([
        [`${infraID}-master-0`, "poweredOn", 2, 4096],
        [`${infraID}-workers-0`, "poweredOn", 2, 4096],
        [`${infraID}-workers-1`, "poweredOn", 2, 4096],
      ]);
      for (const vm of vms) {
        expect(vm.extraConfig[INFRA_ID_KEY]).toBe(infraID);
        expect(vm.extraConfig[CLUSTER_UID_KEY]).toBe(ready.metadata!.uid);
      }
      const userData = (vm: VmSummary) =>
        Buffer.from(vm.extraConfig["guestinfo.userdata"] ?? "", "base64").toString("utf8");
      expect(userData(vms[0]!)).toMatch(
        /kubeadm init --control-plane-endpoint edge-store-42-\w+-master-0:6443/,
      );
      expect(userData(vms[1]!)).toMatch(
        /kubeadm join edge-store-42-\w+-master-0:6443 --token [a-z0-9]{6}\.[a-z0-9]{16}/,
      );
      // The guest stand-in says what it is, on the VM and in the cluster's status.
      expect(vms[0]!.extraConfig[GUEST_KIND_KEY]).toBe("simulated");
      expect(ready.status?.stack?.message).toMatch(
        /^up finished in [\d.]+s; the guest of the first control plane VM is SIMULATED: a local control plane in \//,
      );
      const spoke = await spokeKubectl(kube, ready, sut.stateDir);
      expect((await spoke(["create", "configmap", "survives-hibernation", "--from-literal=k=v"])).code).toBe(
        0,
      );

      await patch(name, { powerState: "Hibernating" });
      await eventually(
        `${name} hibernated`,
        async () => {
          const cd = await get(name);
          return cd.status?.powerState === "Hibernating" && condition(cd, "Ready")?.status === "True";
        },
        240_000,
        1_000,
      );
      mark("Hibernating");
      expect((await vmsOf(infraID)).map((vm) => vm.powerState)).toEqual([
        "poweredOff",
        "poweredOff",
        "poweredOff",
      ]);
      expect((await spoke(["get", "ns"])).code).not.toBe(0);

      await patch(name, { powerState: "Running" });
      const resumed = await readyAt(name, 3);
      mark("resumed");
      expect(resumed.status?.powerState).toBe("Running");
      expect((await vmsOf(infraID)).every((vm) => vm.powerState === "poweredOn")).toBe(true);
      const kept = await (
        await spokeKubectl(kube, resumed, sut.stateDir)
      )(["get", "configmap", "survives-hibernation", "-o", "jsonpath={.data.k}"]);
      expect(kept.stdout).toBe("v");

      await patch(name, {
        platform: {
          vsphere: {
            ...example.spec.platform.vsphere,
            nodePools: [{ ...example.spec.platform.vsphere.nodePools[0], replicas: 3 }],
          },
        },
      });
      await readyAt(name, 4);
      mark("scaled to 3 workers");
      expect((await vmsOf(infraID)).map((vm) => [vm.name, vm.powerState])).toEqual([
        [`${infraID}-master-0`, "poweredOn"],
        [`${infraID}-workers-0`, "poweredOn"],
        [`${infraID}-workers-1`, "poweredOn"],
        [`${infraID}-workers-2`, "poweredOn"],
      ]);

      // Behind Slipway's back: the control plane VM is powered off (its simulated guest goes down with it).
      const client = await vcenter();
      const master = (await vmsOf(infraID))[0]!;
      await client.powerOff(master.ref);
      await client.logout();
      await eventually(
        "a DriftDetected event for the powered-off VM",
        async () => {
          const events = await kubectlOk(["get", "events", "-n", ns, "-o", "jsonpath={.items[*].reason}"]);
          return events.split(" ").includes("DriftDetected");
        },
        120_000,
        1_000,
      );
      await eventually(
        "the control plane VM powered on again and the cluster Ready",
        async () => {
          const [vm] = await vmsOf(infraID);
          const cd = await get(name);
          return (
            vm?.powerState === "poweredOn" &&
            condition(cd, "Ready")?.status === "True" &&
            cd.status?.powerState === "Running"
          );
        },
        240_000,
        1_000,
      );
      mark("repaired");

      await kubectlOk(["delete", "-n", ns, `cd/${name}`, "--timeout=180s"]);
      mark("deleted");
      expect(await vmsOf(infraID)).toEqual([]);
      expect(existsSync(join(sut.stateDir, "vsphere-guests"))).toBe(true);
      expect(
        (await import("node:fs"))
          .readdirSync(join(sut.stateDir, "vsphere-guests"))
          .filter((d) => d.includes(name)),
      ).toEqual([]);
    },
    900_000,
  );

  it("a wrong password stalls the cluster with VSphereLoginFailed and what to change, and never shows the password", async () => {
    await secret("wrong-credentials", { username: vcsim.username, password: "not-the-password" });
    await applyIn(ns, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterDeployment",
      metadata: { name: "wrong-password" },
      spec: {
        clusterName: "wrong-password",
        registration: { enabled: false },
        platform: {
          vsphere: {
            vCenter: new URL(vcsim.url).host,
            datacenter: "DC0",
            cluster: "DC0_C0",
            defaultDatastore: "LocalDS_0",
            network: "VM Network",
            template: TEMPLATE,
            credentialsRef: { name: "wrong-credentials" },
            certificatesRef: { name: "vsphere-ca" },
          },
        },
      },
    });
    const stalled = await eventually(
      "wrong-password Stalled",
      async () => {
        const cd = await get("wrong-password");
        return condition(cd, "Stalled")?.status === "True" ? cd : undefined;
      },
      180_000,
      1_000,
    );
    const message = condition(stalled, "Stalled")!.message;
    expect(message).toMatch(/VSphereLoginFailed: Login: InvalidLogin/);
    expect(message).toMatch(
      /correct username and password in the Secret spec\.platform\.vsphere\.credentialsRef names \(wrong-credentials\)/,
    );
    expect(JSON.stringify(stalled)).not.toContain("not-the-password");
    await kubectlOk(["delete", "-n", ns, "cd/wrong-password", "--timeout=120s"]);
  }, 300_000);

  it("a vsphere ClusterPool hands a running cluster to a claim, and deleting the claim removes its VMs", async () => {
    await applyIn(
      ns,
      clusterPool("edge-pool", ns, {
        size: 1,
        runningCount: 1,
        template: {
          registration: { enabled: false },
          platform: {
            vsphere: {
              vCenter: new URL(vcsim.url).host,
              datacenter: "DC0",
              cluster: "DC0_C0",
              defaultDatastore: "LocalDS_0",
              network: "VM Network",
              template: TEMPLATE,
              credentialsRef: { name: "vsphere-credentials" },
              certificatesRef: { name: "vsphere-ca" },
              controlPlane: { replicas: 1, cpus: 2, memoryMiB: 2048, diskGiB: 20 },
              nodePools: [{ name: "workers", replicas: 1, cpus: 1, memoryMiB: 1024, diskGiB: 20 }],
            },
          },
        },
      }),
    );
    await applyIn(ns, clusterClaim("edge-claim", ns, "edge-pool"));
    const claim = await eventually(
      "edge-claim bound to a running cluster",
      async () => {
        const c = await kube.get<ClusterClaim>(clusterClaimResource, ns, "edge-claim");
        const running = getCondition(c.status?.conditions as never, "ClusterRunning");
        return running?.status === "True" && c.status?.kubeconfigSecretRef ? c : undefined;
      },
      300_000,
      1_000,
    );
    const cd = await get(claim.status!.clusterDeploymentRef!.name);
    const infraID = cd.status!.infraID!;
    expect((await vmsOf(infraID)).map((vm) => [vm.name.slice(infraID.length), vm.powerState])).toEqual([
      ["-master-0", "poweredOn"],
      ["-workers-0", "poweredOn"],
    ]);
    const kubeconfig = await kube.get<KubeObject & { data?: Record<string, string> }>(
      secretResource,
      ns,
      claim.status!.kubeconfigSecretRef!.name,
    );
    expect(Buffer.from(kubeconfig.data!.kubeconfig!, "base64").toString("utf8")).toContain(
      cd.status!.apiURL!,
    );

    // The pool deletes the cluster of a deleted claim (its unclaimed one stays: size 1 is met).
    await kubectlOk(["delete", "-n", ns, "clusterclaim/edge-claim", "--timeout=60s"]);
    await eventually(
      "the claimed cluster's VMs removed",
      async () =>
        (await vmsOf(infraID)).length === 0 &&
        (await kube.getIfExists(clusterDeploymentResource, ns, cd.metadata!.name!)) === undefined,
      240_000,
      1_000,
    );
    await kubectlOk(["delete", "-n", ns, "clusterpool/edge-pool", "--timeout=60s"]);
  }, 600_000);
});
