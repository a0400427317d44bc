import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { clusterDeploymentResource, namespaceResource, secretResource } from "../api/resources.js";
import { getCondition, type Condition } from "../runtime/conditions.js";
import { toolsBinDir } from "../runtime/paths.js";
import { validateVSphereInputs } from "../../stacks/vsphere/inputs.js";
import * as operations from "../../stacks/vsphere/operations.js";
import { Vim25Client } from "../../stacks/vsphere/vim25/client.js";
import { benchStackQueue, seconds, waitForReady, withBenchEnvironment } from "./bench-environment.js";
import { startVcsim, type Vcsim } from "./vsphere-vcsim.js";

/** The template the benchmark clones: one of vcsim's VMs, cloned once under a template's name. */
const TEMPLATE = "bench-template";
/** How long a vSphere operation through Slipway may take: clones and boots in vcsim, then OCM's agent. */
const VSPHERE_WAIT_MS = 600_000;

async function prepareTemplate(vcsim: Vcsim): Promise<void> {
  const client = await Vim25Client.login({ ...vcsim });
  try {
    await client.cloneVm((await client.findByInventoryPath("DC0/vm/DC0_C0_RP0_VM0"))!, {
      name: TEMPLATE,
      folder: (await client.findByInventoryPath("DC0/vm"))!,
      resourcePool: (await client.findByInventoryPath("DC0/host/DC0_C0/Resources"))!,
      datastore: (await client.findByInventoryPath("DC0/datastore/LocalDS_0"))!,
      cpus: 2,
      memoryMiB: 2048,
      extraConfig: {},
      powerOn: false,
    });
  } finally {
    await client.logout();
  }
}

function vspherePlatform(vcsim: Vcsim, workers: number) {
  return {
    vCenter: new URL(vcsim.url).host,
    datacenter: "DC0",
    cluster: "DC0_C0",
    defaultDatastore: "LocalDS_0",
    network: "VM Network",
    template: TEMPLATE,
    credentialsRef: { name: "vsphere-credentials" },
    certificatesRef: { name: "vsphere-ca" },
    controlPlane: { replicas: 1, cpus: 2, memoryMiB: 4096, diskGiB: 40 },
    nodePools: [{ name: "workers", replicas: workers, cpus: 2, memoryMiB: 4096, diskGiB: 40 }],
  };
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
const phases = (ms: Record<string, number>) =>
  Object.entries(ms)
    .map(([phase, t]) => `${phase} ${seconds(t)}`)
    .join(", ");

/**
 * The provider's operations against vcsim without Pulumi or a hub: what each costs in time (and where it goes)
 * and in SOAP calls, for a 1 + `workers` VM cluster.
 */
async function benchOperations(vcsim: Vcsim, workers: number): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "slipway-bench-vsphere-"));
  const inputs = validateVSphereInputs({
    clusterName: "bench-vsphere",
    powerState: "Running",
    clusterUID: "b0b0b0b0-0000-4000-8000-000000000001",
    dataDir: join(dataDir, "guest"),
    binDir: toolsBinDir,
    platform: vspherePlatform(vcsim, workers),
  });
  const args: operations.VSphereControlPlaneArgs = {
    clusterName: inputs.clusterName,
    clusterUID: inputs.clusterUID,
    powerState: "Running",
    platform: inputs.platform,
    dataDir: inputs.dataDir,
    binDir: inputs.binDir,
    credentials: { username: vcsim.username, password: vcsim.password, "ca.crt": vcsim.caPem },
  };
  const line = (what: string, ms: number, state: operations.VSphereControlPlaneState | undefined) =>
    console.log(
      `vsphere provider: ${what.padEnd(26)} ${seconds(ms).padStart(8)}  ${String(total(state?.soapCalls ?? {})).padStart(3)} SOAP calls` +
        `${state && Object.keys(state.phaseMs ?? {}).length ? `  (${phases(state.phaseMs)})` : ""}`,
    );
  let state: operations.VSphereControlPlaneState | undefined;
  try {
    let t = Date.now();
    state = (await operations.create(args)).outs;
    line(`create 1+${workers} VMs`, Date.now() - t, state);
    console.log(`vsphere provider: create calls by method ${JSON.stringify(state.soapCalls)}`);
    t = Date.now();
    const refreshed = (await operations.read(state.infraID, state)).props;
    line("refresh (nothing changed)", Date.now() - t, refreshed);
    t = Date.now();
    state = (await operations.update(state, { ...args, powerState: "Hibernating" })).outs;
    line("hibernate", Date.now() - t, state);
    t = Date.now();
    state = (await operations.update(state, args)).outs;
    line("resume", Date.now() - t, state);
    t = Date.now();
    state = (await operations.update(state, args)).outs;
    line("up with nothing to do", Date.now() - t, state);
    const scaled = {
      ...args,
      platform: { ...args.platform, nodePools: [{ ...args.platform.nodePools[0]!, replicas: workers + 1 }] },
    };
    t = Date.now();
    state = (await operations.update(state, scaled)).outs;
    line(`scale ${workers} -> ${workers + 1} workers`, Date.now() - t, state);
    t = Date.now();
    const removed = await operations.removeCounted(state);
    line(`delete ${workers + 2} VMs`, Date.now() - t, { ...state, ...removed, phaseMs: {} });
    state = undefined;
  } finally {
    if (state) await operations.remove(state).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Through a private hub, the controller, the worker and the Pulumi CLI, with OCM's real agent. */
async function benchThroughSlipway(vcsim: Vcsim, workers: number): Promise<void> {
  await withBenchEnvironment(async ({ config, kube, redisUrl }) => {
    const queue = benchStackQueue({ config, redisUrl });
    const ns = "bench";
    try {
      await kube.create(namespaceResource, { metadata: { name: ns } });
      for (const [name, data] of [
        ["vsphere-credentials", { username: vcsim.username, password: vcsim.password }],
        ["vsphere-ca", { "ca.crt": vcsim.caPem }],
      ] as const) {
        await kube.create(secretResource, {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name, namespace: ns },
          stringData: data,
        });
      }
      const name = "bench-vsphere";
      let t = Date.now();
      await kube.create(clusterDeploymentResource, {
        apiVersion: "slipway.dev/v1alpha1",
        kind: "ClusterDeployment",
        metadata: { name, namespace: ns },
        spec: { clusterName: name, platform: { vsphere: vspherePlatform(vcsim, workers) } },
      });
      const ready = await waitForReady(kube, ns, name, "Running", VSPHERE_WAIT_MS);
      const applyToReady = Date.now() - t;
      const conditions = ready.status?.conditions as Condition[] | undefined;
      const at = (type: string) => Date.parse(getCondition(conditions, type)?.lastTransitionTime ?? "");
      const created = Date.parse(ready.metadata!.creationTimestamp!);
      const job = await queue.lookup(ready.status!.stack!.jobId);
      console.log(`vsphere through Slipway: apply -> Ready (registered) ${seconds(applyToReady)}`);
      if (job.startedAt && job.finishedAt) {
        console.log(
          `  queued -> worker took the up        ${seconds(job.startedAt.getTime() - created)}\n` +
            `  the up (Pulumi CLI + provider)      ${seconds(job.finishedAt.getTime() - job.startedAt.getTime())}`,
        );
      }
      console.log(
        `  Provisioned -> Registered, Joined   ${seconds(Math.max(at("Registered"), at("Joined")) - at("Provisioned"))} (OCM's agent)`,
      );
      t = Date.now();
      await kube.patch(
        clusterDeploymentResource,
        ns,
        name,
        { spec: { powerState: "Hibernating" } },
        { type: "merge" },
      );
      await waitForReady(kube, ns, name, "Hibernating", VSPHERE_WAIT_MS);
      console.log(`vsphere through Slipway: hibernate -> Hibernating ${seconds(Date.now() - t)}`);
      t = Date.now();
      await kube.patch(
        clusterDeploymentResource,
        ns,
        name,
        { spec: { powerState: "Running" } },
        { type: "merge" },
      );
      await waitForReady(kube, ns, name, "Running", VSPHERE_WAIT_MS);
      console.log(`vsphere through Slipway: resume -> Ready       ${seconds(Date.now() - t)}`);
      t = Date.now();
      await kube.delete(clusterDeploymentResource, ns, name);
      while (await kube.getIfExists(clusterDeploymentResource, ns, name)) await sleep(200);
      console.log(`vsphere through Slipway: delete -> gone        ${seconds(Date.now() - t)}`);
    } finally {
      await queue.close();
    }
  });
}

/**
 * `slipway bench vsphere`: a vsphere cluster of 1 + `workers` VMs against govmomi's vcsim (tools/build.sh test):
 * the provider's operations alone (time, where it goes, SOAP calls), then apply -> Ready, hibernate and resume
 * through a private hub. The guest is simulated (docs/platforms/vsphere.md).
 */
export async function benchVSphere(options: {
  workers: number;
  scenario: "operations" | "slipway" | "all";
}): Promise<number> {
  const vcsim = await startVcsim();
  try {
    await prepareTemplate(vcsim);
    if (options.scenario !== "slipway") await benchOperations(vcsim, options.workers);
    if (options.scenario !== "operations") await benchThroughSlipway(vcsim, options.workers);
  } finally {
    await vcsim.stop();
  }
  return 0;
}
