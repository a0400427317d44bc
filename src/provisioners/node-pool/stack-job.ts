import type { HostedCluster } from "../../api/hosted-cluster.js";
import type { KubeObject } from "../../api/object.js";
import type { NodePool } from "../../api/node-pool.js";
import { platformOf } from "../../api/platform.js";
import { hostedClusterResource, nodePoolResource, secretResource } from "../../api/resources.js";
import { TerminalJobError, TerminalStackError } from "../../errors/index.js";
import type { JobContext, JobHandler } from "../../queue/job-worker.js";
import type { PulumiRunner } from "../../queue/pulumi-runner.js";
import type { StackJobData, StackJobProgress, StackJobResult } from "../../queue/stack-job.js";
import { runStackJob } from "../../queue/stack-run.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { logger } from "../../runtime/logging.js";
import { JOIN_TOKEN_KEY } from "../../../stacks/cloud/node-join.js";
import { platformDefinition, stackProgramFor } from "../../../stacks/index.js";
import { readJoinToken } from "./join-token.js";
import {
  desiredNodeGroupStack,
  joinEndpointOf,
  nodeGroupStackName,
  type JoinEndpoint,
} from "./node-group-stack.js";
import type { NodeGroupJobResult } from "./scope.js";

const log = logger("node-pool-stack");

export interface NodePoolStackJobDeps {
  kube: KubeClient;
  runner: PulumiRunner;
}

/** A destroy does not run the program: any endpoint satisfies its inputs once the HostedCluster's is gone. */
const NO_ENDPOINT: JoinEndpoint = { apiServer: "https://hosted-cluster.invalid", caData: "AA==" };

/**
 * Runs a cloud NodePool's stack job: reads the pool, its HostedCluster and the endpoint its machines join, the
 * cloud credentials and the pool's join token (both handed to Pulumi as one secret config value, never in the
 * payload or a log), and runs the platform's NodePool program. Status is the controller's to write.
 */
export function nodePoolStackJob(
  deps: NodePoolStackJobDeps,
): JobHandler<StackJobData, StackJobResult, StackJobProgress> {
  return (job) => runNodePoolStack(deps, job);
}

async function runNodePoolStack(
  deps: NodePoolStackJobDeps,
  job: JobContext<StackJobData, StackJobProgress>,
): Promise<NodeGroupJobResult> {
  const data = job.data;
  const pool = await deps.kube.getIfExists<NodePool>(nodePoolResource, data.namespace, data.name);
  if (!pool || pool.metadata?.uid !== data.uid) return skipped(data, "the NodePool no longer exists");
  if (pool.metadata.deletionTimestamp && data.operation !== "destroy")
    return skipped(data, `the NodePool is being deleted: ${data.operation} not run`);
  const destroying = data.operation === "destroy";
  if (destroying && !(await deps.runner.stackExists(nodeGroupStackName(pool))))
    return skipped(data, "no stack was ever created for this NodePool: nothing to destroy");
  const platform = platformOf(pool.spec) ?? "unknown";
  const cluster = await deps.kube.getIfExists<HostedCluster>(
    hostedClusterResource,
    data.namespace,
    pool.spec.clusterName,
  );
  const join = cluster ? await joinEndpointOf(deps.kube, cluster) : undefined;
  if (!destroying && (!cluster || !join))
    throw new Error(`HostedCluster ${pool.spec.clusterName} serves no endpoint yet: the up waits for it`);
  let desired: ReturnType<typeof desiredNodeGroupStack>;
  try {
    const program = stackProgramFor("NodePool", platform);
    desired = desiredNodeGroupStack(pool, cluster ?? placeholderCluster(pool), join ?? NO_ENDPOINT, program);
    if (!destroying) program.validate(desired.inputs);
  } catch (error) {
    if (error instanceof TerminalStackError) throw new TerminalJobError(error.reason, error.message);
    throw error;
  }
  const attempt = (data.priorAttempts ?? 0) + job.attempt;
  log.info(
    { NodePool: `${data.namespace}/${data.name}`, jobId: job.id, stack: desired.stackName, attempt },
    `Running ${data.operation} of the ${platform} node group`,
  );
  const result = await runStackJob(deps.runner, job, {
    kind: "NodePool",
    platform,
    stackName: desired.stackName,
    operation: data.operation,
    inputs: { ...desired.inputs, attempt },
    attempt,
    credentials: await readCredentials(deps.kube, pool, platform),
  });
  const outputs = result.outputs;
  return {
    operation: data.operation,
    generation: pool.metadata.generation ?? data.generation,
    infraID: typeof outputs.infraID === "string" ? outputs.infraID : undefined,
    groupReplicas: typeof outputs.replicas === "number" ? outputs.replicas : undefined,
    inputsHash: destroying ? undefined : desired.inputsHash,
    resourceChanges: result.changes ?? {},
    durationMs: result.durationMs,
    finishedAt: new Date().toISOString(),
  };
}

/** A HostedCluster gone before its pool's destroy: only its name and version reach the (unrun) program. */
function placeholderCluster(pool: NodePool): HostedCluster {
  return {
    metadata: { name: pool.spec.clusterName, namespace: pool.metadata.namespace },
    spec: { release: { version: pool.spec.release?.version ?? "1.33.0" } },
  } as HostedCluster;
}

/**
 * The cloud's keys from the Secret spec.platform.<cloud>.credentialsRef names and the pool's join token, read when
 * the job runs so they are never in its payload. Errors name keys only.
 */
async function readCredentials(
  kube: KubeClient,
  pool: NodePool,
  platform: string,
): Promise<Record<string, string>> {
  const namespace = pool.metadata.namespace!;
  const wanted = platformDefinition(platform)?.credentials?.keys ?? [];
  const ref = (pool.spec.platform as Record<string, { credentialsRef?: { name?: string } } | undefined>)[
    platform
  ]?.credentialsRef?.name;
  const secret = ref
    ? await kube.getIfExists<KubeObject & { data?: Record<string, string> }>(secretResource, namespace, ref)
    : undefined;
  if (!secret) throw new Error(`CredentialsSecretMissing: Secret ${namespace}/${ref ?? ""} does not exist`);
  const missing = wanted.filter((key) => secret.data?.[key] === undefined);
  if (missing.length > 0)
    throw new Error(`CredentialsKeysMissing: Secret ${namespace}/${ref!} lacks ${missing.join(", ")}`);
  const token = await readJoinToken(kube, pool);
  if (!token) throw new Error(`the NodePool's join token Secret does not exist yet: the controller makes it`);
  return {
    ...Object.fromEntries(
      wanted.map((key) => [key, Buffer.from(secret.data![key]!, "base64").toString("utf8")]),
    ),
    [JOIN_TOKEN_KEY]: token,
  };
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
