import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { ClusterDeployment } from "../api/index.js";
import { clusterDeploymentResource, secretResource } from "../api/resources.js";
import {
  desiredStack,
  platformFor,
  platformName,
  InvalidSpecError,
  readCredentials,
} from "../provisioners/cluster-deployment/platform.js";
import type { SlipwayConfig } from "../runtime/config.js";
import type { KubeClient } from "../runtime/kube-client.js";
import { logger } from "../runtime/logging.js";
import { classifyPulumiError } from "./pulumi-errors.js";
import type { PulumiRunner } from "./pulumi-runner.js";
import type { Redis } from "ioredis";
import { redisConnection } from "./redis.js";
import { STACK_QUEUE, type StackJobData, type StackJobProgress, type StackJobResult } from "./stack-job.js";

const log = logger("stack-worker");

export function kubeconfigSecretName(cdName: string): string {
  return `${cdName}-admin-kubeconfig`;
}

export interface StackWorkerOptions {
  config: SlipwayConfig;
  kube: KubeClient;
  runner: PulumiRunner;
  /** Observes every finished job (metrics). */
  onFinished?: (operation: string, result: "succeeded" | "failed", seconds: number) => void;
}

/**
 * Runs stack jobs: reads the ClusterDeployment named in the payload, runs its platform's Pulumi program, and
 * stores the admin kubeconfig in a Secret owned by the ClusterDeployment. Status is the controller's to write.
 */
export class StackWorker {
  readonly worker: Worker<StackJobData, StackJobResult>;
  /** BullMQ never closes a connection it was handed. */
  private readonly connection: Redis;

  constructor(private readonly opts: StackWorkerOptions) {
    const w = opts.config.worker;
    this.connection = redisConnection(opts.config.redisUrl ?? "");
    this.worker = new Worker<StackJobData, StackJobResult>(STACK_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix: opts.config.queuePrefix,
      concurrency: w.concurrency,
      // Pulumi runs last minutes: the lock is renewed every lockDuration/2; a worker that dies loses it and
      // the job is moved back to wait by the stalled-job check.
      lockDuration: w.lockDurationMs,
      stalledInterval: w.stalledIntervalMs,
      maxStalledCount: w.maxStalledCount,
      autorun: false,
    });
    this.worker.on("failed", (job, err) => {
      if (job)
        log.warn(
          { jobId: job.id, attemptsMade: job.attemptsMade, reason: err.name },
          `Job failed: ${err.message}`,
        );
    });
  }

  run(): Promise<void> {
    return this.worker.run();
  }

  async close(): Promise<void> {
    await this.worker.close();
    this.connection.disconnect();
  }

  async process(job: Job<StackJobData, StackJobResult>): Promise<StackJobResult> {
    const started = Date.now();
    const data = job.data;
    const ref = `${data.namespace}/${data.name}`;
    const cd = await this.opts.kube.getIfExists<ClusterDeployment>(
      clusterDeploymentResource,
      data.namespace,
      data.name,
    );
    const skip = (why: string): StackJobResult => ({
      operation: data.operation,
      generation: data.generation,
      resourceChanges: {},
      durationMs: 0,
      finishedAt: new Date().toISOString(),
      skipped: why,
    });
    if (!cd || cd.metadata?.uid !== data.uid) return skip("the ClusterDeployment no longer exists");
    const adapter = platformFor(cd);
    if (!adapter) throw new UnrecoverableError(`no stack for platform ${platformName(cd)}`);
    const generation = cd.metadata?.generation ?? data.generation;
    let desired: ReturnType<typeof desiredStack>;
    try {
      adapter.validate(cd, this.opts.config);
      desired = desiredStack(adapter, cd, this.opts.config);
    } catch (err) {
      if (err instanceof InvalidSpecError) throw new UnrecoverableError(`${err.reason}: ${err.message}`);
      throw err;
    }
    const { stackName, inputs, inputsHash } = desired;
    const attempt = (data.priorAttempts ?? 0) + job.attemptsMade + 1;
    const credentials = await readCredentials(this.opts.kube, adapter, cd);
    log.info(
      { ClusterDeployment: ref, jobId: job.id, stack: stackName, attempt },
      `Running ${data.operation} for generation ${generation}`,
    );
    try {
      const result = await this.opts.runner.run({
        platform: adapter.name,
        stackName,
        operation: data.operation,
        // The attempt is not desired state (it is not in inputsHash): injected simulated failures count against it.
        inputs: { ...inputs, attempt },
        attempt,
        credentials,
        // The controller keeps one job in flight per resource, so a lock found now was left by a dead worker.
        clearStaleLock: true,
        onProgress: (p: StackJobProgress) => void job.updateProgress(p).catch(() => undefined),
      });
      const outputs = result.outputs as Record<string, unknown>;
      let kubeconfigSecret: string | undefined;
      if (data.operation !== "destroy" && typeof outputs.kubeconfig === "string") {
        kubeconfigSecret = await this.writeKubeconfigSecret(cd, outputs.kubeconfig);
      }
      this.opts.onFinished?.(data.operation, "succeeded", (Date.now() - started) / 1000);
      return {
        operation: data.operation,
        generation,
        apiURL: typeof outputs.apiURL === "string" ? outputs.apiURL : undefined,
        infraID: typeof outputs.infraID === "string" ? outputs.infraID : undefined,
        powerState: typeof outputs.powerState === "string" ? outputs.powerState : undefined,
        inputsHash: data.operation === "destroy" ? undefined : inputsHash,
        kubeconfigSecret,
        resourceChanges: result.changes ?? {},
        durationMs: result.durationMs,
        finishedAt: new Date().toISOString(),
      };
    } catch (err) {
      this.opts.onFinished?.(data.operation, "failed", (Date.now() - started) / 1000);
      const c = classifyPulumiError(err);
      log.warn(
        { ClusterDeployment: ref, jobId: job.id, reason: c.reason, retry: c.retry },
        `${data.operation} failed: ${c.message}`,
      );
      if (!c.retry) throw new UnrecoverableError(`${c.reason}: ${c.message}`);
      throw new Error(`${c.reason}: ${c.message}`);
    }
  }

  private async writeKubeconfigSecret(cd: ClusterDeployment, kubeconfig: string): Promise<string> {
    const name = kubeconfigSecretName(cd.metadata!.name!);
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name,
        namespace: cd.metadata!.namespace,
        labels: { "slipway.dev/cluster-deployment": cd.metadata!.name! },
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
    await this.opts.kube.patch(secretResource, cd.metadata!.namespace, name, secret, {
      type: "apply",
      fieldManager: "slipway-worker",
      force: true,
    });
    return name;
  }
}
