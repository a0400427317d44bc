/**
 * The worker's side of a stack-backed resource: a stack job reads the object its payload names, runs its
 * platform's program for the kind and stores the admin kubeconfig in a Secret the object owns. Status is the
 * controller's to write. One handler for every stack-backed kind, given the kind's `StackJobKind` table.
 */
import { derivedName, MAX_LABEL_VALUE, type KubeObject } from "../../api/index.js";
import { secretResource } from "../../api/resources.js";
import { InvalidSpecError, TerminalError, TerminalJobError } from "../../errors/index.js";
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
import { readPlatformCredentials } from "./credentials.js";
import type { DesiredStack, StackJobKind } from "./kind.js";

const log = logger("stack-resource-job");

export interface StackJobDeps {
  config: SlipwayConfig;
  kube: KubeClient;
  runner: PulumiRunner;
}

/** The job handler of a stack-backed kind, for the worker to register under the kind's job type. */
export function stackJob<O extends KubeObject>(
  kind: StackJobKind<O>,
  deps: StackJobDeps,
): JobHandler<StackJobData, StackJobResult, StackJobProgress> {
  return (job) => runStack(kind, deps, job);
}

async function runStack<O extends KubeObject>(
  kind: StackJobKind<O>,
  deps: StackJobDeps,
  job: JobContext<StackJobData, StackJobProgress>,
): Promise<StackJobResult> {
  const data = job.data;
  const object = await deps.kube.getIfExists<O>(kind.resource, data.namespace, data.name);
  if (!object || object.metadata?.uid !== data.uid) return skipped(data, `the ${kind.kind} no longer exists`);
  // Once deletion started, only a destroy may run: a waiting up (a worker restarted, say) must not create again.
  if (object.metadata?.deletionTimestamp && data.operation !== "destroy")
    return skipped(data, `the ${kind.kind} is being deleted: ${data.operation} not run`);
  const destroying = data.operation === "destroy";
  // A stack never created (its platform, version or credentials never let an up run) has nothing to destroy:
  // the resource is released whatever its spec says now.
  if (destroying && !(await deps.runner.stackExists(stackNameFor(data))))
    return skipped(data, `no stack was ever created for this ${kind.kind}: nothing to destroy`);
  const generation = object.metadata?.generation ?? data.generation;
  const context = { config: deps.config, kube: deps.kube, validate: !destroying };
  let desired: DesiredStack;
  try {
    // A destroy runs the provider recorded in the state: what this machine could provision now does not matter.
    desired = await kind.desired(object, context);
  } catch (err) {
    if (err instanceof InvalidSpecError || err instanceof TerminalError)
      throw new TerminalJobError(err.reason, err.message);
    throw err;
  }
  const { stackName, inputs, inputsHash } = desired;
  // A destroy retried under a new job id keeps counting its attempts across jobs.
  const attempt = (data.priorAttempts ?? 0) + job.attempt;
  const platformCredentials = await readPlatformCredentials(
    deps.kube,
    desired.definition,
    data.namespace,
    desired.platformSpec,
  );
  const more = await kind.moreCredentials?.(object, context);
  const credentials = more ? { ...platformCredentials, ...more } : platformCredentials;
  log.info(
    { [kind.kind]: `${data.namespace}/${data.name}`, jobId: job.id, stack: stackName, attempt },
    `Running ${data.operation} for generation ${generation}`,
  );
  const deleted = destroying ? undefined : watchForDelete(kind, deps.kube, data);
  let result: Awaited<ReturnType<typeof runStackJob>>;
  try {
    result = await runStackJob(deps.runner, job, {
      kind: kind.kind,
      platform: desired.platform,
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
  const kubeconfigSecret =
    !destroying && kind.kubeconfigSecret && typeof outputs.kubeconfig === "string"
      ? await writeKubeconfigSecret(deps.kube, object, kind.kubeconfigSecret, outputs.kubeconfig)
      : undefined;
  return {
    operation: data.operation,
    generation,
    apiURL: text(outputs.apiURL),
    infraID: text(outputs.infraID),
    powerState: text(outputs.powerState),
    drift: text(outputs.drift),
    note: text(outputs.note),
    inputsHash: destroying ? undefined : inputsHash,
    ...kind.result?.(outputs),
    kubeconfigSecret,
    resourceChanges: result.changes ?? {},
    durationMs: result.durationMs,
    finishedAt: new Date().toISOString(),
  };
}

/** A program's string output, undefined when absent or empty. */
export function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** How often a running up or refresh looks at its object on the hub for a delete. */
const DELETE_CHECK_MS = 10_000;

/**
 * Aborts when the object is being deleted or gone. The controller asks for the cancel through Redis
 * (JobQueue.requestCancel), which is faster; this is the ask that survives losing Redis: the hub is the source of
 * truth, and a controller that lost the job in a flush no longer knows which job to cancel.
 */
function watchForDelete<O extends KubeObject>(
  kind: StackJobKind<O>,
  kube: KubeClient,
  data: StackJobData,
): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  const look = async () => {
    const object = await kube
      .getIfExists<O>(kind.resource, data.namespace, data.name)
      .catch(() => "unknown" as const); // the hub away: look again next time
    if (object === "unknown" || controller.signal.aborted) return;
    if (!object || object.metadata?.uid !== data.uid || object.metadata?.deletionTimestamp) {
      log.info(
        { [kind.kind]: `${data.namespace}/${data.name}`, operation: data.operation },
        `The ${kind.kind} is being deleted: cancelling its ${data.operation}`,
      );
      controller.abort(new Error(`the ${kind.kind} ${data.namespace}/${data.name} is being deleted`));
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

async function writeKubeconfigSecret<O extends KubeObject>(
  kube: KubeClient,
  object: O,
  secretOf: NonNullable<StackJobKind<O>["kubeconfigSecret"]>,
  kubeconfig: string,
): Promise<string> {
  const name = secretOf.name(object);
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace: object.metadata!.namespace,
      labels: { [secretOf.label]: derivedName(object.metadata!.name!, "", MAX_LABEL_VALUE) },
      ownerReferences: [
        {
          apiVersion: object.apiVersion!,
          kind: object.kind!,
          name: object.metadata!.name!,
          uid: object.metadata!.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    type: "Opaque",
    stringData: { kubeconfig },
  };
  await kube.patch(secretResource, object.metadata!.namespace, name, secret, {
    type: "apply",
    fieldManager: "slipway-worker",
    force: true,
  });
  return name;
}
