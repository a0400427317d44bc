import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../src/api/index.js";
import { clusterDeploymentResource, namespaceResource } from "../../src/api/resources.js";
import { AGENT_NAMESPACE, BOOTSTRAP_SECRET, OcmCondition } from "../../src/bootstrap/registration/names.js";
import { managedClusterResource } from "../../src/bootstrap/registration/resources.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import type { KubeObject } from "../../src/runtime/resource.js";
import { localClusterManifest } from "../builders/cluster-deployment.js";
import {
  deleteClustersThenStop,
  processesNaming,
  slipwayUnderTest,
  type SlipwayUnderTest,
} from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { spokeKubectl } from "../harness/spoke.js";
import { hubKubeConfig, kubectlOk } from "../harness/hub.js";

type MC = KubeObject & {
  status?: { conditions?: { type: string; status: string; reason?: string }[] };
};
type ManagedFields = { managedFields?: { manager?: string; subresource?: string }[] };

describe("registration of a local cluster with OCM's real agent and controller", () => {
  let sut: SlipwayUnderTest;
  let kube: KubeClient;
  let ns: string;
  const name = `reg-l-${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    // A 3 s lease: OCM reports a stopped agent after 5 leases (15 s) instead of 2.5 minutes. The agent's material
    // is re-applied every 10 s instead of 10 minutes, and a cluster OCM lost for 5 s gets its agent restarted.
    sut = await slipwayUnderTest("e2e-reg-local", {
      SLIPWAY_LEADER_ELECTION: "false",
      SLIPWAY_REGISTRATION_LEASE_SECONDS: "3",
      SLIPWAY_REGISTRATION_RESYNC_SECONDS: "10",
      SLIPWAY_REGISTRATION_REPAIR_SECONDS: "5",
    });
    sut.controller();
    sut.worker();
    kube = new KubeClient(hubKubeConfig());
    ns = sut.namespace;
  });

  afterAll(async () => {
    await deleteClustersThenStop(sut, ns);
  });

  const get = () => kube.get<ClusterDeployment>(clusterDeploymentResource, ns, name);
  const condition = (cd: ClusterDeployment, type: string) =>
    getCondition(cd.status?.conditions as never, type);
  const available = (mc: MC | undefined) =>
    mc?.status?.conditions?.find((c) => c.type === OcmCondition.Available);
  const agentProcesses = (cd: ClusterDeployment) =>
    processesNaming(
      join(sut.stateDir, "clusters", `${ns}-${name}-${cd.metadata!.uid!.slice(0, 8)}`, "registration"),
    );

  /**
   * The one agent process of the cluster, waited for: its supervisor restarts an agent that exits (with backoff),
   * and OCM's agent may exit by itself (a new bootstrap Secret, a new hub kubeconfig), so a single look can fall
   * between two starts.
   */
  const oneAgent = (cd: ClusterDeployment) =>
    eventually("one agent process", () => {
      const pids = agentProcesses(cd);
      return pids.length === 1 ? pids[0]! : undefined;
    });

  it("joins by itself, is shown as expected while hibernating, comes back on resume, and leaves nothing on delete", async () => {
    const t0 = Date.now();
    const mark = (what: string) =>
      console.log(`registration +${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
    await kubectlOk(["apply", "-n", ns, "-f", "-"], {
      input: JSON.stringify(localClusterManifest(name, { registration: true })),
    });
    const provisioned = await eventually(
      "Provisioned",
      async () => {
        const cd = await get();
        return condition(cd, "Provisioned")?.status === "True" ? cd : undefined;
      },
      180_000,
    );
    mark("Provisioned");
    const joined = await eventually(
      "Registered and Joined",
      async () => {
        const cd = await get();
        return condition(cd, "Registered")?.status === "True" && condition(cd, "Joined")?.status === "True"
          ? cd
          : undefined;
      },
      120_000,
    );
    mark("Registered and Joined");
    const seconds =
      (Date.parse(condition(joined, "Joined")!.lastTransitionTime) -
        Date.parse(condition(provisioned, "Provisioned")!.lastTransitionTime)) /
      1000;
    console.log(`Provisioned -> Joined: ${seconds} s`);
    // OCM set it: the agent's own field manager wrote the ManagedCluster's status, not a simulated one.
    const mc = await kube.get<MC>(managedClusterResource, undefined, name);
    expect(available(mc)).toMatchObject({ status: "True", reason: "ManagedClusterAvailable" });
    const statusWriters = ((mc.metadata as ManagedFields | undefined)?.managedFields ?? []).filter(
      (f) => f.subresource === "status",
    );
    expect(statusWriters.map((f) => f.manager)).not.toContain("slipway-registration-simulated-agent");
    await oneAgent(joined);

    // Someone deletes the agent's bootstrap Secret on the cluster: the next resync puts it back.
    const spoke = await spokeKubectl(kube, joined, sut.stateDir);
    expect((await spoke(["delete", "secret", "-n", AGENT_NAMESPACE, BOOTSTRAP_SECRET])).code).toBe(0);
    await eventually(
      "the agent's bootstrap Secret back on the cluster",
      async () => (await spoke(["get", "secret", "-n", AGENT_NAMESPACE, BOOTSTRAP_SECRET])).code === 0,
      90_000,
      1_000,
    );
    mark("the agent's bootstrap Secret back on the cluster");

    // The agent hangs (stopped, its process still there): OCM stops hearing from it, and Slipway restarts it.
    const hung = await oneAgent(joined);
    process.kill(hung, "SIGSTOP");
    const lost = await eventually(
      "OCM reports the cluster unreachable",
      async () => {
        const cd = await get();
        return condition(cd, "Joined")?.status === "Unknown" ? cd : undefined;
      },
      90_000,
    );
    mark("OCM reports the cluster unreachable");
    expect(condition(lost, "Joined")?.reason).toBe("ManagedClusterLeaseUpdateStopped");
    const repaired = await eventually(
      "the agent restarted and the cluster available again",
      async () => {
        const cd = await get();
        return condition(cd, "Joined")?.status === "True" ? cd : undefined;
      },
      120_000,
    );
    mark("the agent restarted and the cluster available again");
    // One agent runs, a new one: the supervisor may be between two starts of it at the moment OCM says Joined
    // (it restarts an agent that exits, with backoff), so wait for the process rather than sample it once.
    const agents = await eventually("one agent process, not the hung one", () => {
      const pids = agentProcesses(repaired);
      return pids.length === 1 ? pids : undefined;
    });
    expect(agents).not.toContain(hung);
    const reasons = await kubectlOk([
      "get",
      "events",
      "-n",
      ns,
      "--field-selector",
      `involvedObject.name=${name}`,
      "-o",
      "jsonpath={.items[*].reason}",
    ]);
    expect(reasons.split(" ")).toContain("AgentRepair");

    await kube.patch(
      clusterDeploymentResource,
      ns,
      name,
      { spec: { powerState: "Hibernating" } },
      { type: "merge" },
    );
    const asleep = await eventually(
      "OCM reports it unavailable; shown as hibernating",
      async () => {
        const cd = await get();
        const ocm = available(await kube.get<MC>(managedClusterResource, undefined, name));
        return cd.status?.powerState === "Hibernating" &&
          ocm?.status !== "True" &&
          condition(cd, "Joined")?.reason === "Hibernating"
          ? cd
          : undefined;
      },
      120_000,
    );
    mark("OCM reports it unavailable; shown as hibernating");
    expect(condition(asleep, "Joined")).toMatchObject({ status: "Unknown" });
    expect(condition(asleep, "Registered")).toMatchObject({ status: "True" });
    expect(condition(asleep, "Ready")).toMatchObject({ status: "True" });
    expect(agentProcesses(asleep)).toEqual([]);

    await kube.patch(
      clusterDeploymentResource,
      ns,
      name,
      { spec: { powerState: "Running" } },
      { type: "merge" },
    );
    const awake = await eventually(
      "available again",
      async () => {
        const cd = await get();
        return cd.status?.powerState === "Running" && condition(cd, "Joined")?.status === "True"
          ? cd
          : undefined;
      },
      120_000,
    );
    mark("available again");
    expect(available(await kube.get<MC>(managedClusterResource, undefined, name))?.status).toBe("True");
    await oneAgent(awake);

    await kubectlOk(["delete", "cd", name, "-n", ns, "--timeout=120s"]);
    expect(await kube.getIfExists(managedClusterResource, undefined, name)).toBeUndefined();
    expect(await kube.getIfExists(namespaceResource, undefined, name)).toBeUndefined();
    const rbac = await kubectlOk(["get", "clusterroles,clusterrolebindings", "-o", "name"]);
    expect(rbac.split("\n").filter((line) => line.includes(`:${name}`))).toEqual([]);
    const leases = await kubectlOk(["get", "leases", "-A", "-o", "name"]);
    expect(leases).not.toContain(name);
    expect(agentProcesses(awake)).toEqual([]);
  }, 600_000);
});
