/**
 * The ClusterDeployment controller in-process against the shared hub and Redis, without a worker, for
 * integration tests that read the status it writes (queued jobs stay queued). One namespace of its own.
 */
import { randomBytes } from "node:crypto";
import { clusterDeploymentRegistration } from "../../src/provisioners/cluster-deployment/controller.js";
import { PULUMI_QUEUE } from "../../src/queue/job.js";
import { JobQueue } from "../../src/queue/job-queue.js";
import type { StackJobData, StackJobProgress, StackJobResult } from "../../src/queue/stack-job.js";
import { loadConfig } from "../../src/runtime/config.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { configureLogging } from "../../src/runtime/logging.js";
import { Manager } from "../../src/runtime/manager.js";
import { hubKubeConfig, newNamespace, testRedisUrl } from "./hub.js";

export interface InProcessController {
  client: KubeClient;
  queue: JobQueue<StackJobData, StackJobResult, StackJobProgress>;
  namespace: string;
  stop(): Promise<void>;
}

export async function startClusterDeploymentController(opts: {
  /** Prefix of the namespace and the queue. */
  name: string;
  stateDir: string;
}): Promise<InProcessController> {
  configureLogging({ level: "warn" });
  const client = new KubeClient(hubKubeConfig());
  const prefix = `t-${opts.name}-${randomBytes(3).toString("hex")}`;
  const config = loadConfig({
    SLIPWAY_STATE_DIR: opts.stateDir,
    REDIS_URL: testRedisUrl(),
    SLIPWAY_QUEUE_PREFIX: prefix,
  });
  const queue = new JobQueue<StackJobData, StackJobResult, StackJobProgress>({
    name: PULUMI_QUEUE,
    redisUrl: testRedisUrl(),
    prefix,
    attempts: 1,
    backoffMs: 500,
  });
  const namespace = await newNamespace(opts.name);
  const manager = new Manager({ client, namespaces: [namespace] });
  manager.register(clusterDeploymentRegistration({ kube: client, queue, config }, 2));
  await manager.start({ cacheSyncTimeoutMs: 30_000 });
  return {
    client,
    queue,
    namespace,
    async stop() {
      await manager.stop();
      await queue.close();
      client.close();
    },
  };
}
