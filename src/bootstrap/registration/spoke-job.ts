import { existsSync, readdirSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig } from "@kubernetes/client-node";
import { parse } from "yaml";
import {
  clusterResources,
  clusterView,
  isClusterKind,
  platformOf,
  type ClusterObject,
  type ClusterPlatform,
} from "../../api/index.js";
import { namespaceResource, secretResource } from "../../api/resources.js";
import type { JobContext, JobHandler } from "../../queue/job-worker.js";
import { stackNameFor } from "../../queue/stack-job.js";
import type { SlipwayConfig } from "../../runtime/config.js";
import { KubeClient } from "../../runtime/kube-client.js";
import { logger } from "../../runtime/logging.js";
import { ocmSpokeCrdDir } from "../../runtime/paths.js";
import type { KubeObject } from "../../runtime/resource.js";
import { platformHoldingStack, stackDataFolder, type HubJoin } from "../../../stacks/index.js";
import { hubJoinOf } from "../platform.js";
import { bootstrapKubeconfig, bootstrapToken, hubEndpoint } from "./bootstrap-kubeconfig.js";
import { REGISTRATION_FIELD_MANAGER } from "./hub.js";
import type { RegistrationJobData, RegistrationJobResult } from "./job.js";
import { agentPids, registrationDir, writeIntent, type LocalAgents } from "./local-agent.js";
import { AGENT_NAMESPACE, BOOTSTRAP_SECRET } from "./names.js";
import { applyKlusterlet, OCM_IMAGE_TAG } from "./klusterlet.js";
import { crdResource } from "./resources.js";
import { SimulatedAgent } from "./simulated-agent.js";

const log = logger("registration.job");

export interface RegistrationJobDeps {
  config: SlipwayConfig;
  /** The hub. */
  kube: KubeClient;
  /** The agents of local clusters this worker supervises. */
  localAgents: LocalAgents;
}

/**
 * Registration's work on the spoke ("spoke" queue). register: the agent namespace, OCM's ClusterClaim CRD and
 * Secret bootstrap-hub-kubeconfig on the cluster, then the agent (local: OCM's agent beside the cluster;
 * simulated: the simulated agent). pause: the agent stops while the cluster hibernates. deregister: the agent
 * stops for good and the material goes from the cluster when it still answers. The token is read and written
 * here only: never in the payload, the result or a log line.
 */
export function registrationJob(
  deps: RegistrationJobDeps,
): JobHandler<RegistrationJobData, RegistrationJobResult> {
  return (job) => runRegistrationJob(deps, job);
}

async function runRegistrationJob(
  deps: RegistrationJobDeps,
  job: JobContext<RegistrationJobData>,
): Promise<RegistrationJobResult> {
  const data = job.data;
  const result = (
    agent: RegistrationJobResult["agent"],
    message: string,
    skipped?: string,
  ): RegistrationJobResult => ({
    operation: data.operation,
    generation: data.generation,
    agent,
    message,
    finishedAt: new Date().toISOString(),
    ...(skipped ? { skipped } : {}),
  });
  const resource = clusterResources[isClusterKind(data.kind) ? data.kind : "ClusterDeployment"];
  const cd = await deps.kube.getIfExists<ClusterObject>(resource, data.namespace, data.name);
  // A ClusterDeployment gone from the hub is known by what its cluster left on this machine.
  const stack = stackNameFor(data);
  const platform = cd ? platformOf(cd.spec) : platformHoldingStack(deps.config.stateDir, stack)?.name;
  const hubJoin = hubJoinOf(platform);
  const clusterDir = stackDataFolder(platform ?? "", deps.config.stateDir, stack) ?? "";
  if (data.operation === "deregister")
    return result(...(await deregister(deps, data, cd, hubJoin, clusterDir)));
  if (!cd || cd.metadata?.uid !== data.uid || cd.metadata.deletionTimestamp)
    return result("none", "skipped", `the ${data.kind} is gone or being deleted`);

  if (hubJoin.method === "simulated-agent") {
    const agent = new SimulatedAgent(deps.kube, hubJoin.latencyMs(cd.spec.platform as ClusterPlatform));
    if (data.operation === "pause") {
      await agent.pause(data.managedClusterName);
      return result("simulated", "Simulated agent paused: the cluster hibernates");
    }
    await agent.join(data.managedClusterName);
    return result("simulated", "Simulated agent joined the hub and renewed its lease");
  }
  const supervised = hubJoin.method === "supervised-agent";
  if (data.operation === "pause") {
    if (supervised) await stopLocalAgent(deps, clusterDir, data.managedClusterName, "stopped");
    return result(supervised ? "local" : "none", "The agent is stopped while the cluster hibernates");
  }
  const spoke = await spokeClient(deps, cd);
  const kubeconfig = bootstrapKubeconfig(
    hubEndpoint(deps.kube, deps.config.registration.hubURL),
    await bootstrapToken(deps.kube, data.managedClusterName),
  );
  try {
    await applySpokeMaterial(spoke, kubeconfig);
    // Cloud clusters run OCM's own agents, deployed by its klusterlet operator; local ones run the agent beside them.
    if (hubJoin.method === "klusterlet") await applyKlusterlet(spoke, data.managedClusterName);
  } finally {
    spoke.close();
  }
  if (supervised) {
    const dir = registrationDir(clusterDir);
    await writeIntent(dir, { desired: "running", clusterName: data.managedClusterName });
    await writeFile(join(dir, "bootstrap.kubeconfig"), kubeconfig, { mode: 0o600 });
    if (data.repair) killHungAgent(dir, data.managedClusterName);
    await deps.localAgents.reconcile(dir);
    log.info(
      { ClusterDeployment: `${data.namespace}/${data.name}` },
      "Registration material written; agent running",
    );
    return result("local", "Agent material applied on the cluster; OCM's agent runs beside it");
  }
  return result(
    "none",
    "Agent namespace, ClusterClaim CRD, bootstrap-hub-kubeconfig and OCM's klusterlet operator " +
      `(${OCM_IMAGE_TAG}) applied on the cluster; its registration agent joins the hub`,
  );
}

/**
 * OCM has not heard from a running cluster's agent for a while although its process runs: end it, whichever worker
 * supervises it; that worker starts it again (with the credentials it kept) after its restart backoff.
 */
function killHungAgent(dir: string, clusterName: string): void {
  const pids = agentPids(dir);
  for (const pid of pids) process.kill(pid, "SIGKILL");
  if (pids.length > 0) log.warn({ cluster: clusterName, pids }, "Restarting an agent OCM has not heard from");
}

/**
 * Stops the local agent and removes its intent (or marks it stopped), then makes sure no process runs it,
 * whichever worker started it: ended with SIGTERM, then SIGKILL, if it is still there after 10 s.
 */
async function stopLocalAgent(
  deps: RegistrationJobDeps,
  clusterDir: string,
  clusterName: string,
  desired: "stopped" | "gone",
): Promise<void> {
  const dir = registrationDir(clusterDir);
  if (existsSync(clusterDir)) {
    if (desired === "gone") await rm(join(dir, "agent.json"), { force: true });
    else await writeIntent(dir, { desired: "stopped", clusterName });
  }
  await deps.localAgents.reconcile(dir);
  const deadline = Date.now() + 10_000;
  while (agentPids(dir).length > 0 && Date.now() < deadline) await sleep(250);
  const left = agentPids(dir);
  for (const pid of left) process.kill(pid, "SIGKILL");
  if (left.length > 0) log.warn({ cluster: clusterName, pids: left }, "Killed an agent that did not stop");
}

async function deregister(
  deps: RegistrationJobDeps,
  data: RegistrationJobData,
  cd: ClusterObject | undefined,
  hubJoin: HubJoin,
  clusterDir: string,
): Promise<[RegistrationJobResult["agent"], string]> {
  if (hubJoin.method === "simulated-agent") return ["simulated", "Simulated agent stopped"];
  const supervised = hubJoin.method === "supervised-agent";
  if (supervised) await stopLocalAgent(deps, clusterDir, data.managedClusterName, "gone");
  // Best effort on the cluster: when it is being destroyed or asleep there is nothing to clean.
  const spoke =
    cd && !cd.metadata?.deletionTimestamp ? await spokeClient(deps, cd).catch(() => undefined) : undefined;
  if (spoke) {
    try {
      await spoke.delete(namespaceResource, undefined, AGENT_NAMESPACE).catch(() => undefined);
    } finally {
      spoke.close();
    }
  }
  if (supervised) await rm(registrationDir(clusterDir), { recursive: true, force: true });
  return [supervised ? "local" : "none", "The agent is stopped and its material removed"];
}

async function spokeClient(deps: RegistrationJobDeps, cd: ClusterObject): Promise<KubeClient> {
  const secretName = clusterView(cd).adminKubeconfigSecretName;
  if (!secretName) throw new Error("the cluster has no admin kubeconfig Secret yet");
  const secret = await deps.kube.get<KubeObject & { data?: Record<string, string> }>(
    secretResource,
    cd.metadata!.namespace,
    secretName,
  );
  const kc = new KubeConfig();
  kc.loadFromString(Buffer.from(secret.data?.kubeconfig ?? "", "base64").toString("utf8"));
  return new KubeClient(kc, { requestTimeoutMs: 15_000 });
}

function spokeCrds(): KubeObject[] {
  if (!existsSync(ocmSpokeCrdDir))
    throw new Error(`OCM's spoke CRDs are missing in ${ocmSpokeCrdDir}: run \`bash tools/build.sh\``);
  return readdirSync(ocmSpokeCrdDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => parse(readFileSync(join(ocmSpokeCrdDir, f), "utf8")) as KubeObject);
}

async function applySpokeMaterial(spoke: KubeClient, kubeconfig: string): Promise<void> {
  const apply = (resource: typeof namespaceResource, object: KubeObject) =>
    spoke.patch(resource, object.metadata?.namespace, object.metadata!.name!, object, {
      type: "apply",
      fieldManager: REGISTRATION_FIELD_MANAGER,
      force: true,
    });
  await apply(namespaceResource, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: AGENT_NAMESPACE },
  });
  for (const crd of spokeCrds()) await apply(crdResource, crd);
  await apply(secretResource, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: BOOTSTRAP_SECRET, namespace: AGENT_NAMESPACE },
    type: "Opaque",
    data: { kubeconfig: Buffer.from(kubeconfig).toString("base64") },
  } as KubeObject);
}
