import { derivedName, MAX_LABEL_VALUE, type HostedCluster } from "../../api/index.js";
import type { KubeObject } from "../../api/object.js";
import { hostedClusterResource, secretResource } from "../../api/resources.js";
import { TerminalError, TerminalJobError } from "../../errors/index.js";
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
import { platformDefinition } from "../../../stacks/index.js";
import type { HostedStackJobResult } from "./scope.js";
import { desiredHostedStack, hostedPlatformName, hostedProgramFor, validateHostedStack } from "./platform.js";

const log = logger("hosted-cluster-stack");

/** The job type of a HostedCluster's Pulumi runs (queue "pulumi"). */
export const HOSTED_CLUSTER_STACK_JOB = "hosted-cluster-stack";

/** The admin kubeconfig Secret of a HostedCluster (status.kubeconfig, key `kubeconfig`). */
export function hostedKubeconfigSecretName(name: string): string {
  return derivedName(name, "-admin-kubeconfig");
}

export interface HostedClusterStackJobDeps {
  config: SlipwayConfig;
  kube: KubeClient;
  runner: PulumiRunner;
}

/**
 * Runs a HostedCluster's stack job: reads the HostedCluster the payload names, runs its platform's HostedCluster
 * program and stores the admin kubeconfig in a Secret the HostedCluster owns. Status is the controller's to write.
 */
export function hostedClusterStackJob(
  deps: HostedClusterStackJobDeps,
): JobHandler<StackJobData, StackJobResult, StackJobProgress> {
  return (job) => runHostedClusterStack(deps, job);
}

async function runHostedClusterStack(
  deps: HostedClusterStackJobDeps,
  job: JobContext<StackJobData, StackJobProgress>,
): Promise<HostedStackJobResult> {
  const data = job.data;
  const hc = await deps.kube.getIfExists<HostedCluster>(hostedClusterResource, data.namespace, data.name);
  if (!hc || hc.metadata?.uid !== data.uid) return skipped(data, "the HostedCluster no longer exists");
  if (hc.metadata?.deletionTimestamp && data.operation !== "destroy")
    return skipped(data, `the HostedCluster is being deleted: ${data.operation} not run`);
  const destroying = data.operation === "destroy";
  if (destroying && !(await deps.runner.stackExists(stackNameFor(data))))
    return skipped(data, "no stack was ever created for this HostedCluster: nothing to destroy");
  let desired: ReturnType<typeof desiredHostedStack>;
  try {
    const program = hostedProgramFor(hc);
    if (!destroying) validateHostedStack(hc, program, deps.config);
    desired = desiredHostedStack(hc, program, deps.config);
  } catch (error) {
    if (error instanceof TerminalError) throw new TerminalJobError(error.reason, error.message);
    throw error;
  }
  const attempt = (data.priorAttempts ?? 0) + job.attempt;
  const generation = hc.metadata?.generation ?? data.generation;
  log.info(
    { HostedCluster: `${data.namespace}/${data.name}`, jobId: job.id, stack: desired.stackName, attempt },
    `Running ${data.operation} for generation ${generation}`,
  );
  const result = await runStackJob(deps.runner, job, {
    kind: "HostedCluster",
    platform: hostedPlatformName(hc),
    stackName: desired.stackName,
    operation: data.operation,
    inputs: { ...desired.inputs, attempt },
    attempt,
    credentials: await readCredentials(deps.kube, hc),
  });
  const outputs = result.outputs;
  const kubeconfigSecret =
    !destroying && typeof outputs.kubeconfig === "string"
      ? await writeKubeconfigSecret(deps.kube, hc, outputs.kubeconfig)
      : undefined;
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  return {
    operation: data.operation,
    generation,
    apiURL: text(outputs.apiURL),
    infraID: text(outputs.infraID),
    powerState: text(outputs.powerState),
    drift: text(outputs.drift),
    inputsHash: destroying ? undefined : desired.inputsHash,
    ...(typeof outputs.controlPlaneReady === "boolean"
      ? {
          controlPlaneReady: outputs.controlPlaneReady,
          controlPlaneMessage: text(outputs.controlPlaneMessage),
        }
      : {}),
    kubeconfigSecret,
    resourceChanges: result.changes ?? {},
    durationMs: result.durationMs,
    finishedAt: new Date().toISOString(),
  };
}

/**
 * The platform's credentials from the Secret spec.platform.<name>.credentialsRef names (management mode's
 * kubeconfig, a cloud's keys), read when the job runs so they are never in its payload. Errors name keys only.
 */
async function readCredentials(
  kube: KubeClient,
  hc: HostedCluster,
): Promise<Record<string, string> | undefined> {
  const platform = hostedPlatformName(hc);
  const wanted = platformDefinition(platform)?.credentials;
  const ref = (hc.spec.platform as Record<string, { credentialsRef?: { name?: string } } | undefined>)[
    platform
  ]?.credentialsRef?.name;
  if (!wanted || !ref) return undefined;
  const namespace = hc.metadata!.namespace!;
  const secret = await kube.getIfExists<KubeObject & { data?: Record<string, string> }>(
    secretResource,
    namespace,
    ref,
  );
  if (!secret) throw new Error(`CredentialsSecretMissing: Secret ${namespace}/${ref} does not exist`);
  const keys = wanted.keys.length > 0 ? wanted.keys : Object.keys(secret.data ?? {});
  const missing = keys.filter((key) => secret.data?.[key] === undefined);
  if (missing.length > 0)
    throw new Error(`CredentialsKeysMissing: Secret ${namespace}/${ref} lacks ${missing.join(", ")}`);
  return Object.fromEntries(
    keys.map((key) => [key, Buffer.from(secret.data![key]!, "base64").toString("utf8")]),
  );
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
  hc: HostedCluster,
  kubeconfig: string,
): Promise<string> {
  const name = hostedKubeconfigSecretName(hc.metadata!.name!);
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace: hc.metadata!.namespace,
      labels: { "slipway.dev/hosted-cluster": derivedName(hc.metadata!.name!, "", MAX_LABEL_VALUE) },
      ownerReferences: [
        {
          apiVersion: hc.apiVersion!,
          kind: hc.kind!,
          name: hc.metadata!.name!,
          uid: hc.metadata!.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    type: "Opaque",
    stringData: { kubeconfig },
  };
  await kube.patch(secretResource, hc.metadata!.namespace, name, secret, {
    type: "apply",
    fieldManager: "slipway-worker",
    force: true,
  });
  return name;
}
