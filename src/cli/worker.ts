import { loadConfig } from "../runtime/config.js";
import { configureLogging, logger } from "../runtime/logging.js";
import { HealthServer } from "../runtime/health-server.js";
import { Metrics } from "../runtime/metrics.js";
import { PulumiRunner } from "../queue/pulumi-runner.js";
import { resolvePassphrase } from "../queue/passphrase.js";
import { StackWorker } from "../queue/stack-worker.js";
import { hubClient } from "./hub-client.js";
import { redisUrlFor, untilSignal } from "./processes.js";

/** `slipway worker`: BullMQ workers running Pulumi operations. Scale by replicas x SLIPWAY_WORKER_CONCURRENCY. */
export async function workerCommand(): Promise<number> {
  const base = loadConfig();
  const config = { ...base, redisUrl: redisUrlFor(base) };
  configureLogging({ level: config.logLevel as never });
  const log = logger("worker");
  const metrics = new Metrics();
  const runner = new PulumiRunner({
    toolsBinDir: config.toolsBinDir,
    stateDir: config.stateDir,
    backendUrl: config.pulumi.backendUrl,
    passphrase: resolvePassphrase(config),
  });
  const worker = new StackWorker({
    config,
    kube: hubClient(config),
    runner,
    onFinished: (type, result, seconds) => metrics.jobDuration.observe({ type, result }, seconds),
  });
  const health = new HealthServer({ host: config.controller.metricsHost, port: 0, metrics, readiness: { worker: () => worker.worker.isRunning() } });
  const endpoint = await health.start();
  void worker.run();
  log.info({ concurrency: config.worker.concurrency, health: endpoint }, "Worker started");
  const signal = await untilSignal();
  log.info({ signal }, "Stopping worker (waits for running jobs)");
  await worker.close();
  await health.stop();
  return 0;
}
