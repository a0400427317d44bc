import { derivedName, MAX_LABEL_VALUE, type ClusterDeployment } from "../../api/index.js";
import { TerminalJobError } from "../../errors/index.js";
import type { JobContext, JobHandler } from "../../queue/job-worker.js";
import type { PulumiRunner } from "../../queue/pulumi-runner.js";
import {
  stackNameFor,
  type StackJobData,
  type StackJobProgress,
  type StackJobResult,
} from "../../queue/stack-job.js";
import { runStackJob } from "../../queue/stack-run.js";
import type { SlipwayConfig } from "../../runtime/config.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { logger } from "../../runtime/logging.js";
import { desiredStack, InvalidSpecError, platformFor, platformName, readCredentials } from "./platform.js";
import { clusterDeploymentResource, secretResource } from "../../api/resources.js";

const log = logger("cluster-deployment-stack");

/** The job type of a ClusterDeployment's Pulumi runs (queue "pulumi"). */
export const CLUSTER_DEPLOYMENT_STACK_JOB = "cluster-deployment-stack";

export function kubeconfigSecretName(cdName: string): string {
  return derivedName(cdName, "-admin-kubeconfig");
}

export interface ClusterDeploymentStackJobDeps {
  config: SlipwayConfig;
  kube: KubeClient;
  runner: PulumiRunner;
}

/**
 * Runs a ClusterDeployment's stack job: reads the ClusterDeployment the payload names, runs its platform's
 * Pulumi program, and stores the admin kubeconfig in a Secret owned by the ClusterDeployment. Status is the
 * controller's to write.
 */
export function clusterDeploymentStackJob(
  deps: ClusterDeploymentStackJobDeps,
): JobHandler<StackJobData, StackJobResult, StackJobProgress> {
  return (job) => runClusterDeploymentStack(deps, job);
}

async function runClusterDeploymentStack(
  deps: ClusterDeploymentStackJobDeps,
  job: JobContext<StackJobData, StackJobProgress>,
): Promise<StackJobResult> {
  const data = job.data;
  const cd = await deps.kube.getIfExists<ClusterDeployment>(
    clusterDeploymentResource,
    data.namespace,
    data.name,
  );
  if (!cd || cd.metadata?.uid !== data.uid) return skipped(data, "the ClusterDeployment no longer exists");
  // Once deletion started, only a destroy may run: a waiting up (a worker restarted, say) must not create again.
  if (cd.metadata?.deletionTimestamp && data.operation !== "destroy")
    return skipped(data, `the ClusterDeployment is being deleted: ${data.operation} not run`);
  const destroying = data.operation === "destroy";
  // A stack never created (its platform, version or credentials never let an up run) has nothing to destroy:
  // the resource is released whatever its spec says now.
  if (destroying && !(await deps.runner.stackExists(stackNameFor(data))))
    return skipped(data, "no stack was ever created for this ClusterDeployment: nothing to destroy");
  const adapter = platformFor(cd);
  if (!adapter)
    throw new TerminalJobError("UnsupportedPlatform", `no stack for platform ${platformName(cd)}`);
  const generation = cd.metadata?.generation ?? data.generation;
  let desired: ReturnType<typeof desiredStack>;
  try {
    // A destroy runs the provider recorded in the state: what this machine could provision now does not matter.
    if (!destroying) adapter.validate(cd, deps.config);
    desired = desiredStack(adapter, cd, deps.config);
  } catch (err) {
    if (err instanceof InvalidSpecError) throw new TerminalJobError(err.reason, err.message);
    throw err;
  }
  const { stackName, inputs, inputsHash } = desired;
  // A destroy retried under a new job id keeps counting its attempts across jobs.
  const attempt = (data.priorAttempts ?? 0) + job.attempt;
  const credentials = await readCredentials(deps.kube, adapter, cd);
  log.info(
    {
      ClusterDeployment: `${data.namespace}/${data.name}`,
      jobId: job.id,
      stack: stackName,
      attempt,
    },
    `Running ${data.operation} for generation ${generation}`,
  );
  const deleted = destroying ? undefined : watchForDelete(deps.kube, data);
  let result: Awaited<ReturnType<typeof runStackJob>>;
  try {
    result = await runStackJob(deps.runner, job, {
      kind: "ClusterDeployment",
      platform: adapter.name,
      stackName,
      operation: data.operation,
      // The attempt is not desired state (it is not in inputsHash): injected simulated failures count against it.
      inputs: { ...inputs, attempt },
      attempt,
      credentials,
      signal: deleted?.signal,
    });
  } catch (err) {
    if (deleted?.signal.aborted)
      // "Cancelled: <why>" once the job layer words it, as a cancel asked through Redis (CANCELLED_PREFIX).
      throw new TerminalJobError("Cancelled", (deleted.signal.reason as Error).message);
    throw err;
  } finally {
    deleted?.stop();
  }
  const outputs = result.outputs;
  let kubeconfigSecret: string | undefined;
  if (data.operation !== "destroy" && typeof outputs.kubeconfig === "string") {
    kubeconfigSecret = await writeKubeconfigSecret(deps.kube, cd, outputs.kubeconfig);
  }
  return {
    operation: data.operation,
    generation,
    apiURL: typeof outputs.apiURL === "string" ? outputs.apiURL : undefined,
    infraID: typeof outputs.infraID === "string" ? outputs.infraID : undefined,
    powerState: typeof outputs.powerState === "string" ? outputs.powerState : undefined,
    drift: typeof outputs.drift === "string" && outputs.drift !== "" ? outputs.drift : undefined,
    note: typeof outputs.note === "string" && outputs.note !== "" ? outputs.note : undefined,
    inputsHash: data.operation === "destroy" ? undefined : inputsHash,
    kubeconfigSecret,
    resourceChanges: result.changes ?? {},
    durationMs: result.durationMs,
    finishedAt: new Date().toISOString(),
  };
}

/** How often a running up or refresh looks at its ClusterDeployment on the hub for a delete. */
const DELETE_CHECK_MS = 10_000;

/**
 * Aborts when the ClusterDeployment is being deleted or gone. The controller asks for the cancel through Redis
 * (JobQueue.requestCancel), which is faster; this is the ask that survives losing Redis: the hub is the source of
 * truth, and a controller that lost the job in a flush no longer knows which job to cancel.
 */
function watchForDelete(kube: KubeClient, data: StackJobData): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  const look = async () => {
    const cd = await kube
      .getIfExists<ClusterDeployment>(clusterDeploymentResource, data.namespace, data.name)
      .catch(() => "unknown" as const); // the hub away: look again next time
    if (cd === "unknown" || controller.signal.aborted) return;
    if (!cd || cd.metadata?.uid !== data.uid || cd.metadata?.deletionTimestamp) {
      log.info(
        { ClusterDeployment: `${data.namespace}/${data.name}`, operation: data.operation },
        `The ClusterDeployment is being deleted: cancelling its ${data.operation}`,
      );
      controller.abort(new Error(`the ClusterDeployment ${data.namespace}/${data.name} is being deleted`));
    }
  };
  const timer = setInterval(() => void look(), DELETE_CHECK_MS);
  timer.unref();
  return { signal: controller.signal, stop: () => clearInterval(timer) };
}

function skipped(data: StackJobData, why: string): StackJobResult {
  return {
    operation: data.operation,
    generation: data.generation,
    resourceChanges: {},
    durationMs: 0,
    finishedAt: new Date().toISOString(),
    skipped: why,
  };
}

async function writeKubeconfigSecret(
  kube: KubeClient,
  cd: ClusterDeployment,
  kubeconfig: string,
): Promise<string> {
  const name = kubeconfigSecretName(cd.metadata!.name!);
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace: cd.metadata!.namespace,
      labels: { "slipway.dev/cluster-deployment": derivedName(cd.metadata!.name!, "", MAX_LABEL_VALUE) },
      ownerReferences: [
        {
          apiVersion: cd.apiVersion!,
          kind: cd.kind!,
          name: cd.metadata!.name!,
          uid: cd.metadata!.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    type: "Opaque",
    stringData: { kubeconfig },
  };
  await kube.patch(secretResource, cd.metadata!.namespace, name, secret, {
    type: "apply",
    fieldManager: "slipway-worker",
    force: true,
  });
  return name;
}
