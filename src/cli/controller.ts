import { loadConfig } from "../runtime/config.js";
import { configureLogging, logger } from "../runtime/logging.js";
import { Manager } from "../runtime/manager.js";
import { controllerDependencies } from "../queue/controller-jobs.js";
import { register as registerClusterDeployments } from "../provisioners/cluster-deployment/controller.js";
import { register as registerHostedClusters } from "../provisioners/hosted-cluster/controller.js";
import { register as registerNodePools } from "../provisioners/node-pool/index.js";
import { register as registerPools } from "../pools/index.js";
import { register as registerPolicies } from "../bootstrap/policies/index.js";
import { register as registerRegistration } from "../bootstrap/registration/index.js";
import { register as registerPower } from "../power/index.js";
import { register as registerFailover } from "../failover/index.js";
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
  const deps = controllerDependencies(kube, config);
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
  // Every controller folder has the same face: register(manager, deps). One line each.
  registerClusterDeployments(manager, deps);
  registerHostedClusters(manager, deps);
  registerNodePools(manager, deps);
  registerPools(manager, deps);
  registerFailover(manager, deps);
  registerRegistration(manager, deps);
  registerPolicies(manager, deps);
  registerPower(manager, deps);
  // Job events (started, progress, finished) reconcile the job's resource at once instead of at the next poll;
  // each register above subscribed its kinds.
  manager.add(deps.jobs);
  await manager.start();
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
  return 0;
}
