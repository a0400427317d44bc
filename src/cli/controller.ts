import { loadConfig } from "../runtime/config.js";
import { configureLogging, logger } from "../runtime/logging.js";
import { Manager } from "../runtime/manager.js";
import { JOB_QUEUES, PULUMI_QUEUE, SPOKE_QUEUE } from "../queue/job.js";
import { JobEventRouter } from "../queue/job-events.js";
import { JobQueue } from "../queue/job-queue.js";
import type { StackJobData, StackJobProgress, StackJobResult } from "../queue/stack-job.js";
import {
  CLUSTER_DEPLOYMENT_CONTROLLER,
  clusterDeploymentRegistration,
} from "../provisioners/cluster-deployment/controller.js";
import { registerPoolControllers } from "../pools/index.js";
import {
  BOOTSTRAP_POLICY_CONTROLLER,
  POLICY_BATCH_MS,
  registerBootstrapControllers,
  type PolicyEvaluationJobData,
  type PolicyEvaluationResult,
} from "../bootstrap/policies/index.js";
import {
  REGISTRATION_CONTROLLER,
  registrationController,
  type RegistrationJobData,
  type RegistrationJobResult,
} from "../bootstrap/registration/index.js";
import { registerPowerController } from "../power/index.js";
import { registerFailoverController } from "../failover/index.js";
import { hubClient } from "./hub-client.js";
import { redisUrlFor, untilSignal } from "./processes.js";

/** `slipway controller`: watches Slipway's resources, enqueues stack jobs, writes status. One leader at a time. */
export async function controllerCommand(): Promise<number> {
  const base = loadConfig();
  const config = { ...base, redisUrl: redisUrlFor(base) };
  configureLogging({ level: config.logLevel as never });
  const log = logger("controller");
  const kube = hubClient(config);
  const c = config.controller;
  const queue = new JobQueue<StackJobData, StackJobResult, StackJobProgress>({
    name: PULUMI_QUEUE,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.worker.attempts,
    backoffMs: config.worker.backoffMs,
  });
  const spokeQueue = new JobQueue<RegistrationJobData, RegistrationJobResult>({
    name: SPOKE_QUEUE,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.worker.attempts,
    backoffMs: config.worker.backoffMs,
  });
  // Policy evaluations share the "spoke" queue; this client types their payloads.
  const policyQueue = new JobQueue<PolicyEvaluationJobData, PolicyEvaluationResult>({
    name: SPOKE_QUEUE,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.worker.attempts,
    backoffMs: config.worker.backoffMs,
  });
  const jobEvents = new JobEventRouter({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    queues: JOB_QUEUES,
  });
  const manager = new Manager({
    client: kube,
    namespaces: c.watchNamespaces,
    health: { host: c.metricsHost, port: c.metricsPort },
    leaderElection: c.leaderElection
      ? {
          namespace: c.leaseNamespace,
          name: c.leaseName,
          identity: c.identity,
          leaseDurationMs: c.leaseDurationSeconds * 1000,
        }
      : undefined,
    resyncIntervalMs: c.resyncSeconds * 1000,
  });
  manager.register(clusterDeploymentRegistration({ kube, queue, config }, c.concurrency));
  registerPoolControllers(manager, { resumeTimeoutMs: c.resumeTimeoutSeconds * 1000 });
  // Registration runs in this process too: a resumed cluster is back only once OCM reports it joined again.
  registerFailoverController(manager, { registrationRequired: true });
  manager.register(
    registrationController(
      manager,
      { kube, queue: spokeQueue, config, settings: config.registration },
      c.concurrency,
    ),
  );
  registerBootstrapControllers(manager, {
    queue: policyQueue,
    evaluationsPerSecond: c.policyEvaluationsPerSecond,
    protectedObjects: config.policies.protectedObjects,
  });
  const power = registerPowerController(manager, { kube, config });
  // Job events (started, progress, finished) reconcile the job's resource at once instead of at the next poll,
  // by the controller of the kind the job names.
  jobEvents.subscribe("ClusterDeployment", (e) =>
    manager.enqueue(CLUSTER_DEPLOYMENT_CONTROLLER, `${e.namespace}/${e.name}`),
  );
  jobEvents.subscribe("BootstrapPolicy", (e) =>
    manager.enqueue(BOOTSTRAP_POLICY_CONTROLLER, `${e.namespace}/${e.name}`, POLICY_BATCH_MS),
  );
  // Registration follows its own spoke jobs and the stack's (a finished provision starts it).
  jobEvents.subscribe("ClusterDeployment", (e) =>
    manager.enqueue(REGISTRATION_CONTROLLER, `${e.namespace}/${e.name}`),
  );
  await jobEvents.start();
  await manager.start();
  await power.start();
  log.info(
    {
      identity: c.identity,
      health: manager.healthEndpoint,
      leaderElection: c.leaderElection,
      namespaces: c.watchNamespaces ?? "all",
    },
    "Controller started",
  );
  const signal = await untilSignal();
  log.info({ signal }, "Stopping controller");
  await manager.stop();
  await power.close();
  await jobEvents.close();
  await queue.close();
  await spokeQueue.close();
  await policyQueue.close();
  return 0;
}
