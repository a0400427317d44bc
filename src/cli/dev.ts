import { loadConfig } from "../runtime/config.js";
import { DevEnvironment } from "../dev/environment.js";
import type { Command } from "./main.js";
import { join } from "node:path";
import { kubectlOrThrow } from "../local/kubectl.js";
import { repoRoot } from "../runtime/paths.js";
import type { SlipwayConfig } from "../runtime/config.js";

/** Applies examples/cluster-deployment-local.yaml, waits until it is Ready and says how to use it. */
async function applySample(config: SlipwayConfig, kubeconfig: string, log: (line: string) => void): Promise<void> {
  const bin = config.toolsBinDir;
  const sample = join(repoRoot, "examples", "cluster-deployment-local.yaml");
  log(`Applying ${sample} (a real local cluster: etcd + kube-apiserver on this machine)...`);
  const started = Date.now();
  await kubectlOrThrow(bin, kubeconfig, ["apply", "-n", "default", "-f", sample]);
  await kubectlOrThrow(bin, kubeconfig, ["wait", "-n", "default", "--for=condition=Ready", "cd/dev-local", "--timeout=300s"]);
  log(`ClusterDeployment default/dev-local is Ready after ${((Date.now() - started) / 1000).toFixed(1)}s:`);
  log((await kubectlOrThrow(bin, kubeconfig, ["get", "-n", "default", "cd"])).trimEnd());
  log("List the new cluster's namespaces with:");
  log(`  node bin/slipway.js kubeconfig dev-local > dev-local.kubeconfig && ${bin}/kubectl --kubeconfig dev-local.kubeconfig get namespaces`);
}

export const devCommand: Command = async (args, flags) => {
  const config = loadConfig();
  const env = new DevEnvironment(config);
  const sub = args[0];
  const log = (line: string) => console.log(line);
  if (sub === "up") {
    const started = Date.now();
    const detached = flags.detach === true;
    const up = await env.up({ detached, log });
    log(`Slipway dev hub ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    log(`  kubeconfig: ${up.kubeconfig}`);
    log(`  try:        ${config.toolsBinDir}/kubectl --kubeconfig ${up.kubeconfig} get crds`);
    if (flags.sample === true) await applySample(config, up.kubeconfig, log);
    if (detached) return 0;
    log("Running in the foreground; Ctrl-C stops every process (data is kept).");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    log("Stopping...");
    await env.down();
    log("Stopped.");
    return 0;
  }
  if (sub === "down") {
    await env.down();
    log("Slipway dev hub stopped (data kept under " + config.stateDir + ")");
    return 0;
  }
  if (sub === "status") {
    const s = await env.status();
    log(`hub:   ${s.hub.running ? "running" : "stopped"}${s.hub.apiURL ? `  ${s.hub.apiURL}` : ""}`);
    for (const p of s.hub.processes) log(`  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${p.alive ? "alive" : "dead"}  log ${p.logFile}`);
    for (const p of s.components) log(`${(p.name + ":").padEnd(7)}${p.alive ? "running" : "stopped"}  pid ${p.pid}  log ${p.logFile}`);
    log(`redis: ${s.redis.alive || s.redis.external ? "running" : "stopped"}${s.redis.url ? `  ${s.redis.url}` : ""}${s.redis.external ? " (REDIS_URL)" : s.redis.pid ? `  pid ${s.redis.pid}` : ""}`);
    log(`kubeconfig: ${s.kubeconfig}`);
    return s.hub.running ? 0 : 3;
  }
  console.error("usage: slipway dev up [--detach] | down | status");
  return 2;
};
