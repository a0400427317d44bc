import { rm, mkdir } from "node:fs/promises";
import { request } from "node:https";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, isAlive, tail, type RecordedProcess } from "../local/processes.js";
import { processIdentity, RUN_OWNER_ENV, RUN_STATE_DIR_ENV } from "../queue/process-tree.js";

/**
 * Open Cluster Management's registration hub controller as a child of the embedded hub: the program that accepts
 * clusters into the fleet (per-cluster namespace and RBAC, CSR approval with auto-approval, lease health,
 * finalizers). Built by tools/build.sh from open-cluster-management.io/ocm v1.2.0 (tools/ocm-registration).
 */
export const OCM_REGISTRATION = "ocm-registration";

/** Its namespace on the hub (tools/ocm/hub/00-namespaces.yaml): events, and its lease with leader election. */
export const OCM_HUB_NAMESPACE = "open-cluster-management-hub";

/** A recorded child that serves HTTP: the registration controller's health and metrics address. */
export type ServingProcess = RecordedProcess & { listen?: string };

/**
 * The flags that decide how clusters join: the registration controller (src/bootstrap/registration) owns that
 * security model and chooses them here, e.g. `--feature-gates=ManagedClusterAutoApproval=true` with
 * `--auto-approved-csr-users=<identity>`. Empty: every CSR and hubAcceptsClient is left to whoever approves it.
 */
export function ocmHubControllerJoinArgs(): string[] {
  return [];
}

/**
 * The registration hub controller's command line. Leader election is off: one dev hub runs one controller
 * (components.json records it, `dev up` never starts a second), and with it on a restart after a SIGKILL waits
 * out the 137 s lease before it does anything.
 */
export function ocmHubControllerArgs(hub: { kubeconfig: string; listenPort: number }): string[] {
  return [
    "controller",
    `--kubeconfig=${hub.kubeconfig}`,
    `--listen=127.0.0.1:${hub.listenPort}`,
    `--namespace=${OCM_HUB_NAMESPACE}`,
    "--disable-leader-election",
    ...ocmHubControllerJoinArgs(),
  ];
}

/** How to start the controller: command line, environment and where its temporary files go. */
export async function ocmHubControllerLaunch(opts: {
  binDir: string;
  stateDir: string;
  kubeconfig: string;
  previousListen?: string;
}): Promise<{ command: string; args: string[]; env: NodeJS.ProcessEnv; marker: string; listen: string }> {
  const previousPort = Number(opts.previousListen?.split(":")[1]) || undefined;
  const listenPort = await freePort(previousPort);
  // Every start writes a self-signed serving certificate under $TMPDIR and never removes it: a fresh folder each time.
  const tmp = join(opts.stateDir, OCM_REGISTRATION, "tmp");
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const owner = processIdentity();
  return {
    command: join(opts.binDir, OCM_REGISTRATION),
    args: ocmHubControllerArgs({ kubeconfig: opts.kubeconfig, listenPort }),
    env: {
      ...process.env,
      TMPDIR: tmp,
      // Found by the orphan reaper of this state folder (`dev down`, a starting worker) when its starter died
      // without stopping it; a detached one leads its own session and is left alone, as it is meant to outlive it.
      ...(owner ? { [RUN_OWNER_ENV]: owner, [RUN_STATE_DIR_ENV]: resolve(opts.stateDir) } : {}),
    },
    marker: `--kubeconfig=${opts.kubeconfig}`,
    listen: `127.0.0.1:${listenPort}`,
  };
}

/** Resolves once the controller's /healthz answers 200; throws with its last log lines when it exits first. */
export async function waitForOcmHubController(p: ServingProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.listen && (await healthy(p.listen))) return;
    if (!isAlive(p))
      throw new Error(`${OCM_REGISTRATION} exited while starting; last log lines:\n${tail(p.logFile)}`);
    await sleep(200);
  }
  throw new Error(`${OCM_REGISTRATION} was not healthy within ${timeoutMs / 1000}s; see ${p.logFile}`);
}

function healthy(listen: string): Promise<boolean> {
  return new Promise((done) => {
    // A liveness probe on loopback that sends nothing: the controller's serving certificate is self-signed.
    const req = request(`https://${listen}/healthz`, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on("error", () => done(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
