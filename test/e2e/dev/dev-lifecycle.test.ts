import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { LocalControlPlane } from "../../../src/local/control-plane.js";
import { kubectl } from "../../../src/local/kubectl.js";
import { distDir, toolsBinDir } from "../../../src/runtime/paths.js";
import { processesNaming } from "../../harness/components.js";
import { eventually } from "../../harness/eventually.js";

const run = promisify(execFile);

/** The real `slipway` CLI (compiled) with its own state folder. */
async function slipway(stateDir: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [join(distDir, "src", "cli", "main.js"), ...args], {
      env: {
        ...process.env,
        SLIPWAY_STATE_DIR: stateDir,
        REDIS_URL: "",
        SLIPWAY_KUBECONFIG: "",
        KUBECONFIG: "",
      },
      timeout: 120_000,
    });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "" };
  }
}

describe("slipway dev up --detach / status / down / up again", () => {
  let stateDir: string;

  afterAll(async () => {
    if (stateDir) {
      await slipway(stateDir, "dev", "down");
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  // Two hub starts and stops, each a CLI run: minutes on a busy 2-core machine.
  it(
    "starts a hub with the CRDs, reports it, stops it, and keeps its data across a second up",
    { timeout: 300_000 },
    async () => {
      stateDir = await mkdtemp(join(tmpdir(), "slipway-dev-"));
      const up = await slipway(stateDir, "dev", "up", "--detach");
      expect(up.code).toBe(0);
      expect(up.stdout).toContain("Slipway and OCM CRDs installed");
      const kubeconfig = join(stateDir, "kubeconfig");

      const crds = await kubectl(toolsBinDir, kubeconfig, ["get", "crds", "-o", "name"]);
      expect(crds.stdout).toContain("clusterdeployments.slipway.dev");
      expect(crds.stdout).toContain("managedclusters.cluster.open-cluster-management.io");
      expect(
        (await kubectl(toolsBinDir, kubeconfig, ["create", "configmap", "kept", "--from-literal=a=b"])).code,
      ).toBe(0);

      const status = await slipway(stateDir, "dev", "status");
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/hub: +running/);
      expect(status.stdout).toMatch(/kube-apiserver +pid \d+ +alive/);
      expect(status.stdout).toMatch(/controller:running/);
      expect(status.stdout).toMatch(/kube-apiserver .* rss \d+ MiB/);
      expect(status.stdout).toMatch(/memory: \d+ MiB resident in all/);
      // OCM's registration hub controller is one more child, with its health address and log.
      expect(status.stdout).toMatch(
        /ocm-registration:running +pid \d+ .*health https:\/\/127\.0\.0\.1:\d+\/healthz +log .*ocm-registration\.log/,
      );
      const ocmProcesses = () => processesNaming(`--kubeconfig=${kubeconfig}`);
      const [ocmPid] = ocmProcesses();
      expect(ocmProcesses()).toHaveLength(1);

      // Local clusters the worker made live under clusters/: one running, one hibernated (started, then stopped).
      const cluster = (name: string) =>
        new LocalControlPlane({
          name,
          dataDir: join(stateDir, "clusters", name),
          binDir: toolsBinDir,
          controllerManager: false,
        });
      await Promise.all([
        cluster("running").start({ detached: true }),
        cluster("sleeping").start({ detached: true }),
      ]);
      await cluster("sleeping").stop();

      expect((await slipway(stateDir, "dev", "down")).code).toBe(0);
      expect((await cluster("running").status()).running).toBe(false);
      const stopped = await slipway(stateDir, "dev", "status");
      expect(stopped.code).toBe(3);
      expect(stopped.stdout).toMatch(/hub: +stopped/);
      expect(stopped.stdout).toContain("ocm-registration:stopped");
      expect(ocmProcesses()).toEqual([]);
      expect((await kubectl(toolsBinDir, kubeconfig, ["--request-timeout=3s", "get", "ns"])).code).not.toBe(
        0,
      );

      const again = await slipway(stateDir, "dev", "up", "--detach");
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("Started the 1 local cluster(s) that `down` stopped");
      expect((await cluster("running").status()).running).toBe(true);
      expect((await cluster("sleeping").status()).running).toBe(false);
      expect(again.stdout).toContain("OCM registration hub controller healthy");
      const [restartedPid] = ocmProcesses();
      expect(ocmProcesses()).toHaveLength(1);
      expect(restartedPid).not.toBe(ocmPid);
      const spoke = await kubectl(toolsBinDir, join(stateDir, "clusters", "running", "admin.kubeconfig"), [
        "get",
        "ns",
        "default",
        "-o",
        "name",
      ]);
      expect(spoke.stdout.trim()).toBe("namespace/default");
      const kept = await kubectl(toolsBinDir, kubeconfig, [
        "get",
        "configmap",
        "kept",
        "-o",
        "jsonpath={.data.a}",
      ]);
      expect(kept.stdout).toBe("b");

      // The OCM controller ends without a word (SIGKILL): status says so with its last log lines.
      process.kill(restartedPid!, "SIGKILL");
      // How soon a killed process is gone from the process table depends on the machine's load: wait for it (not
      // for expect.poll's 1 s).
      await eventually("the killed OCM controller gone", () => ocmProcesses().length === 0);
      const killed = await slipway(stateDir, "dev", "status");
      expect(killed.stdout).toContain("ocm-registration:exited (without last words)");
      expect(killed.stdout).toMatch(/last log lines:\n {4}\S/);
    },
  );
});
