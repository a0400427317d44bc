import { loadConfig } from "../runtime/config.js";
import { DevEnvironment, STOPPED_BY_DOWN, type ComponentStatus } from "../dev/environment.js";
import { waitForClaim } from "./claim.js";
import { hubClient } from "./hub-client.js";
import { join } from "node:path";
import { kubectlOrThrow } from "../local/kubectl.js";
import { residentBytes } from "../local/processes.js";
import { repoRoot } from "../runtime/paths.js";
import type { SlipwayConfig } from "../runtime/config.js";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterClaim, ClusterDeployment } from "../api/index.js";
import { clusterClaimResource, clusterDeploymentResource } from "../api/resources.js";
import { providerPluginReport, pulumiHomeFor } from "../../stacks/index.js";

/**
 * Applies examples/bootstrap-policy.yaml, examples/cluster-pool.yaml (two local clusters, one running) and
 * examples/cluster-claim.yaml, waits until the claim is Ready (its cluster compliant with the policy) and OCM
 * reports the cluster joined, writes the claimed cluster's kubeconfig and says how to use it.
 */
async function applySample(
  config: SlipwayConfig,
  kubeconfig: string,
  log: (line: string) => void,
): Promise<void> {
  const bin = config.toolsBinDir;
  const started = Date.now();
  for (const file of ["bootstrap-policy.yaml", "cluster-pool.yaml", "cluster-claim.yaml"]) {
    const path = join(repoRoot, "examples", file);
    log((await kubectlOrThrow(bin, kubeconfig, ["apply", "-n", "default", "-f", path])).trimEnd());
  }
  log("Waiting for the pool's local clusters (etcd + kube-apiserver on this machine) and the claim...");
  const out = join(config.stateDir, "alice-dev.kubeconfig");
  const code = await waitForClaim(hubClient(config), {
    namespace: "default",
    name: "alice-dev",
    kubeconfigOut: out,
    timeoutMs: 600_000,
    pollMs: 1_000,
    print: (line) => log(`  [${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}`),
  });
  if (code !== 0)
    throw new Error(
      "the sample claim did not become Ready; see `slipway get claims` and `slipway get clusters`",
    );
  log("Waiting for OCM to report the claimed cluster joined (its policies are already compliant)...");
  await waitForJoined(config, log, started);
  log(
    (
      await kubectlOrThrow(bin, kubeconfig, [
        "get",
        "-n",
        "default",
        "clusterpool,clusterclaim,clusterdeployment,bootstrappolicy",
      ])
    ).trimEnd(),
  );
  log("Use the claimed cluster:");
  log(`  ${bin}/kubectl --kubeconfig ${out} get namespaces`);
  log("Claim another one (the pool refills to 2 behind each claim):");
  log("  node bin/slipway.js claim dev-pool --wait --kubeconfig-out my.kubeconfig");
}

/** The claim gets its kubeconfig once the cluster is Bootstrapped; Joined is OCM's verdict, a second or so later. */
async function waitForJoined(config: SlipwayConfig, log: (line: string) => void, started: number) {
  const kube = hubClient(config);
  const claim = await kube.get<ClusterClaim>(clusterClaimResource, "default", "alice-dev");
  const ref = claim.status?.clusterDeploymentRef;
  if (!ref?.name) throw new Error("the sample claim is Ready but names no cluster");
  const deadline = Date.now() + 120_000;
  for (;;) {
    const cd = await kube.get<ClusterDeployment>(
      clusterDeploymentResource,
      ref.namespace ?? "default",
      ref.name,
    );
    const state = (type: string) => cd.status?.conditions?.find((c) => c.type === type)?.status ?? "Unknown";
    const summary = ["Registered", "Joined", "Bootstrapped"].map((t) => `${t}=${state(t)}`).join(" ");
    if (state("Joined") === "True" && state("Bootstrapped") === "True") {
      log(`  [${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${ref.name}: ${summary}`);
      return;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${ref.name} did not join the hub within 2 minutes (${summary}); see \`slipway get clusters\``,
      );
    await sleep(1_000);
  }
}

const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

const log = (line: string) => console.log(line);

/** "running", "stopped" after a clean exit, else "exited (<why, from its termination log>)". */
function componentState(p: ComponentStatus): string {
  if (p.alive) return "running";
  if (p.ended && (/ exited with code 0$/.test(p.ended) || p.ended.endsWith(STOPPED_BY_DOWN)))
    return "stopped";
  return `exited (${p.ended ?? "without last words"})`;
}

/** `slipway dev up [--detach] [--sample]` */
export async function devUp(options: { detach?: boolean; sample?: boolean }): Promise<number> {
  const config = loadConfig();
  const env = new DevEnvironment(config);
  const started = Date.now();
  const detached = options.detach === true;
  const up = await env.up({ detached, log });
  log(`Slipway dev hub ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  log(`  kubeconfig: ${up.kubeconfig}`);
  log(`  try:        ${config.toolsBinDir}/kubectl --kubeconfig ${up.kubeconfig} get crds`);
  if (options.sample === true) await applySample(config, up.kubeconfig, log);
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

/** `slipway dev down` */
export async function devDown(): Promise<number> {
  const config = loadConfig();
  await new DevEnvironment(config).down();
  log("Slipway dev hub stopped (data kept under " + config.stateDir + ")");
  return 0;
}

/** `slipway dev status`: exit code 3 when the hub is stopped. */
export async function devStatus(): Promise<number> {
  const s = await new DevEnvironment(loadConfig()).status();
  let totalBytes = 0;
  const rss = (pid: number | undefined) => {
    const bytes = residentBytes(pid);
    totalBytes += bytes ?? 0;
    return bytes === undefined ? "" : `  rss ${mebibytes(bytes)}`;
  };
  log(`hub:   ${s.hub.running ? "running" : "stopped"}${s.hub.apiURL ? `  ${s.hub.apiURL}` : ""}`);
  for (const p of s.hub.processes)
    log(
      `  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${p.alive ? "alive" : "dead"}${rss(p.pid)}  log ${p.logFile}`,
    );
  for (const p of s.components) {
    const listen = p.listen ? `  health https://${p.listen}/healthz` : "";
    log(
      `${(p.name + ":").padEnd(7)}${componentState(p)}  pid ${p.pid}${rss(p.pid)}${listen}  log ${p.logFile}`,
    );
    if (p.lastLogLines) log(`  last log lines:\n${p.lastLogLines.replace(/^/gm, "    ")}`);
  }
  log(
    `redis: ${s.redis.alive || s.redis.external ? "running" : "stopped"}${s.redis.url ? `  ${s.redis.url}` : ""}${s.redis.external ? " (external)" : s.redis.pid ? `  pid ${s.redis.pid}${rss(s.redis.pid)}` : ""}`,
  );
  log(
    `memory: ${mebibytes(totalBytes)} resident in all (hub, OCM controller, Redis, controller, worker; clusters it created not counted)`,
  );
  log(`kubeconfig: ${s.kubeconfig}`);
  const pulumiHome = pulumiHomeFor(loadConfig().stateDir);
  const plugins = providerPluginReport(pulumiHome);
  log(`plugins: ${plugins.installed.join(", ") || "none installed"} (${pulumiHome}/plugins)`);
  for (const line of plugins.required) log(`  ${line}`);
  return s.hub.running ? 0 : 3;
}
