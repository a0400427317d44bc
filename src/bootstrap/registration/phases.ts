import {
  clusterView,
  type ClusterObject,
  type RegistrationOperationType,
  type RegistrationStatus,
} from "../../api/index.js";
import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import { conditionTime } from "../../runtime/conditions.js";
import { logger } from "../../runtime/logging.js";
import { jobId } from "../../queue/job.js";
import { approveAgentCsrs, clusterEndpoint, ensureHubSide, nameTakenBy, removeHubSide } from "./hub.js";
import { REGISTRATION_JOB, type RegistrationJobData } from "./job.js";
import { desiredManagedCluster, managedClusterNameOf } from "./managed-cluster.js";
import { clusterHubJoin } from "../platform.js";
import { canonicalJson } from "../../runtime/status-patch.js";
import type { RegistrationScope } from "./scope.js";
import { OcmCondition } from "./names.js";
import { hibernating } from "./status.js";

const log = logger("registration");
/** While an agent is expected to join, look at its CSRs and OCM's verdict this often (events come first). */
const FOLLOW_MS = 5_000;
/** A failed registration job is queued again after this long (each job has its own retries with backoff). */
const FAILED_RETRY_MS = 60_000;

function ref(cd: ClusterObject): string {
  return `${cd.metadata?.namespace}/${cd.metadata?.name}`;
}

export function registrationEnabled(cd: ClusterObject): boolean {
  return cd.spec.registration?.enabled !== false;
}

function provisioned(cd: ClusterObject): boolean {
  return clusterView(cd).provisioned;
}

function leaseDuration(scope: RegistrationScope): number {
  const hubJoin = clusterHubJoin(scope.cd);
  return hubJoin.method === "simulated-agent"
    ? hubJoin.leaseDurationSeconds
    : scope.deps.settings.leaseDurationSeconds;
}

/** A simulated agent has no process to refresh or repair; the controller renews its lease by jobs. */
function simulatedAgent(cd: ClusterObject): boolean {
  return clusterHubJoin(cd).method === "simulated-agent";
}

/** Register while the cluster runs, pause its agent while it hibernates. */
export async function reconcileNormal(scope: RegistrationScope): Promise<void> {
  const { cd } = scope;
  if (!registrationEnabled(cd)) {
    const done = await deregister(scope);
    scope.phase = done ? "Disabled" : "Deregistering";
    if (!done) scope.requeueAfterMs = FOLLOW_MS;
    return;
  }
  if (!provisioned(cd) && !scope.record) {
    scope.phase = "WaitingForProvisioning";
    return;
  }
  const taken = await nameTakenBy(scope);
  if (taken) {
    scope.phase = "NameTaken";
    throw new TerminalError(
      Reason.ManagedClusterNameTaken,
      `${taken}: ManagedClusters are cluster-scoped, so clusterName must be unique on the hub; create the ` +
        "ClusterDeployment again with another spec.clusterName, or set spec.registration.enabled to false",
      { requeueAfterMs: 60_000 },
    );
  }
  const sleeping = hibernating(cd);
  const running = cd.status?.powerState === "Running";
  if (!sleeping && !running) {
    // Starting, or provisioned but not yet running: the agent waits for the cluster.
    const registeredBefore = scope.record?.type !== "deregister" && scope.record?.result === "Succeeded";
    scope.phase = registeredBefore ? "Registered" : "Registering";
    scope.message = "Waiting for the cluster to run before registering its agent";
    scope.requeueAfterMs = FOLLOW_MS;
    return;
  }
  // The hub side needs nothing from the cluster: a pool's standby clusters, created hibernating, are registered
  // too, so a claim that resumes one only waits for its agent.
  const endpoint = await clusterEndpoint(scope);
  if (!endpoint) {
    scope.phase = "WaitingForProvisioning";
    scope.message = "Waiting for the cluster's API URL and kubeconfig";
    scope.requeueAfterMs = FOLLOW_MS;
    return;
  }
  if (hubSideStale(scope, endpoint))
    scope.managedCluster = await ensureHubSide(scope, endpoint, leaseDuration(scope));
  await approveAgentCsrs(scope);
  const operation: RegistrationOperationType = sleeping ? "pause" : "register";
  const refresh = operation === "register" ? refreshDue(scope) : undefined;
  if (refresh?.repair)
    await scope.deps.event(
      cd,
      "Warning",
      Reason.AgentRepair,
      `${refresh.why}: applying the agent's material again and restarting a local agent`,
    );
  const done = await runSpokeJob(
    scope,
    operation,
    refresh?.suffix ?? renewalSuffix(scope, operation),
    refresh?.repair,
  );
  scope.phase = sleeping ? (done ? "Paused" : "Pausing") : done ? "Registered" : "Registering";
  if (!done || !sleeping) scope.requeueAfterMs = done ? renewalDelay(scope) : FOLLOW_MS;
}

/**
 * The hub objects are (re)applied when the ManagedCluster (as the informer sees it) is missing, going, or differs
 * from what the spec asks for (new labels, a changed API URL, someone's edit): a pass that finds it as wanted makes
 * no hub call.
 */
function hubSideStale(scope: RegistrationScope, endpoint: { apiURL: string; caBundle?: string }): boolean {
  const current = scope.managedCluster;
  if (!current || current.metadata?.deletionTimestamp) return true;
  const desired = desiredManagedCluster(scope.cd, endpoint, leaseDuration(scope));
  const labels = current.metadata?.labels ?? {};
  if (Object.entries(desired.metadata?.labels ?? {}).some(([k, v]) => labels[k] !== v)) return true;
  const spec = current.spec ?? {};
  return (
    spec.hubAcceptsClient !== true ||
    spec.leaseDurationSeconds !== desired.spec?.leaseDurationSeconds ||
    canonicalJson(spec.managedClusterClientConfigs) !==
      canonicalJson(desired.spec?.managedClusterClientConfigs)
  );
}

/**
 * A real agent's material is applied again every resyncSeconds, since someone may delete it on the cluster (Hive
 * re-applies SyncSets the same way), and sooner, with a local agent restarted, once OCM has reported the running
 * cluster unavailable for repairAfterSeconds (a hung agent, lost credentials). The job id derives from the end of
 * the job before, so one refresh is queued however many passes see it due, and repairs come at most once per
 * repairAfterSeconds.
 */
export function refreshDue(
  scope: Pick<RegistrationScope, "cd" | "record" | "managedCluster" | "now" | "deps">,
): { suffix: string; repair: boolean; why?: string } | undefined {
  const { cd, record, now } = scope;
  const settings = scope.deps.settings;
  if (simulatedAgent(cd) || record?.type !== "register" || record.result !== "Succeeded") return undefined;
  const finishedAt = Date.parse(record.finishedAt ?? "");
  if (!Number.isFinite(finishedAt)) return undefined;
  const since = now.getTime() - finishedAt;
  const conditions = scope.managedCluster?.status?.conditions ?? [];
  const joined = conditions.find((c) => c.type === OcmCondition.Joined)?.status === "True";
  const available = conditions.find((c) => c.type === OcmCondition.Available);
  const lostFor =
    available?.status !== "True" ? now.getTime() - Date.parse(available?.lastTransitionTime ?? "") : 0;
  const repairMs = settings.repairAfterSeconds * 1000;
  if (joined && clusterView(cd).infrastructureReady && lostFor >= repairMs && since >= repairMs)
    return {
      suffix: `repair${finishedAt}`,
      repair: true,
      why: `OCM has reported the running cluster ${available?.status === "False" ? "unavailable" : "unreachable"} for ${Math.round(lostFor / 1000)} s (${available?.reason ?? "no reason"})`,
    };
  if (since >= settings.resyncSeconds * 1000) return { suffix: `refresh${finishedAt}`, repair: false };
  return undefined;
}

/**
 * How long until `refreshDue` finds a refresh or a repair due, when nothing else changes (at least 1 s): a resync
 * or repair interval shorter than the controller's one-minute safety pass is then kept, not rounded up to it.
 */
export function untilRefreshDue(
  scope: Pick<RegistrationScope, "cd" | "record" | "managedCluster" | "now" | "deps">,
): number | undefined {
  const { record, now } = scope;
  const settings = scope.deps.settings;
  if (simulatedAgent(scope.cd) || record?.type !== "register" || record.result !== "Succeeded")
    return undefined;
  const finishedAt = Date.parse(record.finishedAt ?? "");
  if (!Number.isFinite(finishedAt)) return undefined;
  const since = now.getTime() - finishedAt;
  const waits = [settings.resyncSeconds * 1000 - since];
  const available = scope.managedCluster?.status?.conditions?.find((c) => c.type === OcmCondition.Available);
  if (available && available.status !== "True") {
    const lostFor = now.getTime() - Date.parse(available.lastTransitionTime ?? "");
    const repairMs = settings.repairAfterSeconds * 1000;
    if (Number.isFinite(lostFor)) waits.push(Math.max(repairMs - lostFor, repairMs - since));
  }
  return Math.max(1_000, Math.min(...waits));
}

/**
 * A simulated agent has no process to renew its lease: the controller queues a renewal job every half lease,
 * named by the half-lease period it falls in (a deterministic id per period).
 */
function renewalSuffix(scope: RegistrationScope, operation: RegistrationOperationType): string | undefined {
  const hubJoin = clusterHubJoin(scope.cd);
  if (operation !== "register" || hubJoin.method !== "simulated-agent") return undefined;
  const halfLeaseMs = (hubJoin.leaseDurationSeconds * 1000) / 2;
  return `renew${Math.floor(scope.now.getTime() / halfLeaseMs)}`;
}

function renewalDelay(scope: RegistrationScope): number | undefined {
  // A real agent: OCM's verdict is also followed through events; this pass comes back when a refresh or a
  // repair falls due, and at least every minute.
  const hubJoin = clusterHubJoin(scope.cd);
  if (hubJoin.method !== "simulated-agent") return Math.min(60_000, untilRefreshDue(scope) ?? 60_000);
  const halfLeaseMs = (hubJoin.leaseDurationSeconds * 1000) / 2;
  return halfLeaseMs - (scope.now.getTime() % halfLeaseMs) + 1000;
}

/**
 * Queues (or follows) the spoke job of `operation` for this generation. Returns true once it succeeded. A job
 * that failed every attempt is queued again after FAILED_RETRY_MS under a new id; its cause stays in status.
 */
async function runSpokeJob(
  scope: RegistrationScope,
  operation: RegistrationOperationType,
  suffix?: string,
  repair?: boolean,
): Promise<boolean> {
  const { cd, deps } = scope;
  const generation = cd.metadata!.generation ?? 1;
  const record = scope.record;
  // Not per generation: a new generation that changes nothing on the spoke (a claim, a label) needs no job;
  // labels and the set are the ManagedCluster's, applied by the controller.
  const sameJob = record?.type === operation;
  const wanted = jobId({ uid: cd.metadata!.uid!, generation, operation }, suffix);
  if (sameJob && record.result === "Succeeded" && (!suffix || record.jobId === wanted)) return true;
  if (sameJob && record.result === "InProgress") {
    const job = await deps.queue.lookup(record.jobId);
    scope.job = job;
    if (job.state === "completed") {
      const finishedAt = conditionTime(job.finishedAt ?? scope.now);
      const registeredAt =
        operation === "deregister"
          ? undefined
          : (record.registeredAt ?? (operation === "register" ? finishedAt : undefined));
      scope.record = {
        ...record,
        result: "Succeeded",
        finishedAt,
        message: job.result?.message,
        registeredAt,
      };
      return true;
    }
    if (job.state === "failed") {
      scope.record = {
        ...record,
        result: "Failed",
        finishedAt: conditionTime(job.finishedAt ?? scope.now),
        message: job.failedReason ?? `${operation} failed`,
      };
      return false;
    }
    if (job.state !== "missing") return false;
    // Redis lost the job: queue it again below.
  }
  let retrySuffix = suffix;
  if (sameJob && record.result === "Failed") {
    const failedAt = Date.parse(record.finishedAt ?? "") || 0;
    if (scope.now.getTime() - failedAt < FAILED_RETRY_MS) return false;
    retrySuffix = `${suffix ?? ""}retry${failedAt}`;
  }
  const data: RegistrationJobData = {
    type: REGISTRATION_JOB,
    kind: clusterView(cd).kind,
    namespace: cd.metadata!.namespace!,
    name: cd.metadata!.name!,
    uid: cd.metadata!.uid!,
    generation,
    operation,
    managedClusterName: managedClusterNameOf(cd),
    ...(repair ? { repair } : {}),
  };
  const id = await deps.queue.enqueue(data, retrySuffix);
  log.info({ [clusterView(cd).kind]: ref(cd), jobId: id, operation }, `Queued registration job ${operation}`);
  scope.record = {
    type: operation,
    jobId: id,
    generation,
    startedAt: conditionTime(scope.now),
    result: "InProgress",
    managedClusterName: managedClusterNameOf(cd),
    registeredAt: record?.registeredAt,
  } satisfies RegistrationStatus;
  return false;
}

/**
 * Undoes registration: the spoke job stops the agent (and removes its material when the cluster still runs), then
 * the hub objects go and are checked gone. Returns true when nothing is left.
 */
export async function deregister(scope: RegistrationScope): Promise<boolean> {
  const record = scope.record;
  if (record && !(record.type === "deregister" && record.result === "Succeeded")) {
    const done = await runSpokeJob(scope, "deregister");
    if (!done) {
      scope.message = "Stopping the agent and removing its material from the cluster";
      return false;
    }
  }
  const left = await removeHubSide(scope);
  if (left.length > 0) {
    scope.message = `Waiting for ${left.join(", ")} to be deleted from the hub`;
    return false;
  }
  return true;
}
