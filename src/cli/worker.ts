import { loadConfig } from "../runtime/config.js";
import { configureLogging, logger } from "../runtime/logging.js";
import { HealthServer } from "../runtime/health-server.js";
import { Metrics } from "../runtime/metrics.js";
import { join } from "node:path";
import { PULUMI_QUEUE, SPOKE_QUEUE } from "../queue/job.js";
import { LocalAgents, REGISTRATION_JOB, registrationJob } from "../bootstrap/registration/index.js";
import { createJobWorkers } from "../queue/job-workers.js";
import { endOrphans } from "../queue/process-tree.js";
import { PulumiRunner } from "../queue/pulumi-runner.js";
import { resolvePassphrase } from "../queue/passphrase.js";
import { redisConnection } from "../queue/redis.js";
import { StackLeases } from "../queue/stack-lease.js";
import {
  CLUSTER_DEPLOYMENT_STACK_JOB,
  clusterDeploymentStackJob,
} from "../provisioners/cluster-deployment/stack-job.js";
import { HOSTED_CLUSTER_STACK_JOB, hostedClusterStackJob } from "../provisioners/hosted-cluster/stack-job.js";
import { NODE_POOL_STACK_JOB, nodePoolStackJob } from "../provisioners/node-pool/index.js";
import { POLICY_EVALUATION_JOB, policyEvaluationJob, ProtectedSet } from "../bootstrap/policies/index.js";
import { installToolsPlugins, pulumiHomeFor } from "../../stacks/index.js";
import { hubClient } from "./hub-client.js";
import { redisUrlFor, untilSignal } from "./processes.js";

/**
 * `slipway worker`: BullMQ workers running Pulumi operations (SLIPWAY_WORKER_CONCURRENCY at once) and spoke-side
 * work (SLIPWAY_SPOKE_CONCURRENCY at once). Scale by replicas.
 */
export async function workerCommand(): Promise<number> {
  const base = loadConfig();
  const config = { ...base, redisUrl: redisUrlFor(base) };
  configureLogging({ level: config.logLevel as never });
  const log = logger("worker");
  const metrics = new Metrics();
  const leaseConnection = redisConnection(config.redisUrl);
  const runner = new PulumiRunner({
    toolsBinDir: config.toolsBinDir,
    stateDir: config.stateDir,
    backendUrl: config.pulumi.backendUrl,
    secretsProvider: config.pulumi.secretsProvider,
    passphrase: resolvePassphrase(config),
    leases: new StackLeases({
      redis: leaseConnection,
      prefix: config.queuePrefix,
      ttlMs: config.worker.stackLeaseMs,
    }),
  });
  const kube = hubClient(config);
  const localAgents = new LocalAgents({
    stateDir: config.stateDir,
    binary: join(config.toolsBinDir, "ocm-registration"),
  });
  // Each kind's handlers, by job type; spoke handlers (registration, bootstrap) join them here.
  const workers = createJobWorkers(
    config,
    [
      {
        queue: PULUMI_QUEUE,
        type: CLUSTER_DEPLOYMENT_STACK_JOB,
        handler: clusterDeploymentStackJob({ config, kube, runner }),
      },
      {
        queue: PULUMI_QUEUE,
        type: HOSTED_CLUSTER_STACK_JOB,
        handler: hostedClusterStackJob({ config, kube, runner }),
      },
      { queue: PULUMI_QUEUE, type: NODE_POOL_STACK_JOB, handler: nodePoolStackJob({ config, kube, runner }) },
      {
        queue: SPOKE_QUEUE,
        type: POLICY_EVALUATION_JOB,
        handler: policyEvaluationJob({
          kube,
          protectedObjects: new ProtectedSet(config.policies.protectedObjects),
        }),
      },
      { queue: SPOKE_QUEUE, type: REGISTRATION_JOB, handler: registrationJob({ config, kube, localAgents }) },
    ],
    metrics,
  );
  const readiness = Object.fromEntries(workers.map((w) => [`worker-${w.worker.name}`, () => w.isRunning()]));
  // SLIPWAY_METRICS_PORT, as the controller's: a pod's probes and metrics Service need a fixed port (the chart sets
  // 8080); 0, the default, picks a free one.
  const health = new HealthServer({
    host: config.controller.metricsHost,
    port: config.controller.metricsPort,
    metrics,
    readiness,
  });
  const endpoint = await health.start();
  // A predecessor killed mid-run (SIGKILL, OOM, a lost node) left its Pulumi plugins running, each holding memory.
  for (const orphan of await endOrphans(config.stateDir)) {
    log.warn(
      { pid: orphan.pid, command: orphan.command, owner: orphan.owner },
      "Ended a process a dead worker's Pulumi run left behind",
    );
  }
  // Provider plugins tools/build.sh built (pulumi-resource-kubernetes) into this worker's Pulumi home, once.
  for (const plugin of await installToolsPlugins(config.toolsBinDir, pulumiHomeFor(config.stateDir)))
    log.info(
      { plugin: `${plugin.name} ${plugin.version}` },
      "Installed a provider plugin from the tools folder",
    );
  // After the reaper: agents a dead worker ran were just ended, and start again from their clusters' intents.
  localAgents.start();
  for (const worker of workers) void worker.run();
  log.info(
    {
      queues: workers.map((w) => ({ queue: w.worker.name, types: w.types })),
      concurrency: config.worker.concurrency,
      spokeConcurrency: config.worker.spokeConcurrency,
      health: endpoint,
    },
    "Worker started",
  );
  const signal = await untilSignal();
  log.info({ signal }, "Stopping worker: interrupting running Pulumi runs, then ending their processes");
  // The workers take no new job and wait for the running ones, whose runs the runner interrupts: each CLI gets
  // its grace period to record what finished and release its lock, then what is left of the run is ended. The
  // interrupted jobs are retried by the next worker.
  const closed = Promise.all(workers.map((w) => w.close()));
  // Agents first: the runner ends every process carrying this worker's marker, and a supervisor that saw its
  // agent die would restart it.
  await localAgents.close();
  await runner.close();
  await closed;
  leaseConnection.disconnect();
  await health.stop();
  return 0;
}
