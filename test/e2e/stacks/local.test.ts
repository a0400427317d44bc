import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalControlPlane } from "../../../src/local/control-plane.js";
import { kubectl } from "../../../src/local/kubectl.js";
import { isAlive, type RecordedProcess } from "../../../src/local/processes.js";
import { classifyPulumiError } from "../../../src/queue/pulumi-errors.js";
import { PulumiRunner, type PulumiRunRequest } from "../../../src/queue/pulumi-runner.js";
import { distDir, toolsBinDir } from "../../../src/runtime/paths.js";

// The local platform end to end through the real Pulumi CLI: the dynamic provider runs the compiled code in dist/
// (run `npx tsc -p .` first), so the clusters are real etcd + kube-apiserver + kube-controller-manager processes.
describe("local platform", () => {
  let stateDir: string;
  let dataDir: string;
  let runner: PulumiRunner;
  const stackName = "team-a-dev-1-9f8e7d6c";
  const figures: Record<string, number> = {};

  const run = async (
    operation: PulumiRunRequest["operation"],
    powerState: "Running" | "Hibernating",
    label: string,
  ) => {
    const result = await runner.run({
      platform: "local",
      stackName,
      operation,
      inputs: { clusterName: "dev-1", dataDir, binDir: toolsBinDir, powerState, platform: {} },
    });
    figures[label] = result.durationMs;
    return result;
  };
  const recordedProcesses = (): RecordedProcess[] =>
    (JSON.parse(readFileSync(join(dataDir, "state.json"), "utf8")) as { processes: RecordedProcess[] })
      .processes;
  const kubeconfigFile = async (kubeconfig: unknown) => {
    const path = join(stateDir, "dev-1.kubeconfig");
    await writeFile(path, String(kubeconfig), { mode: 0o600 });
    return path;
  };

  beforeAll(async () => {
    if (!existsSync(join(distDir, "stacks", "local", "operations.js"))) {
      throw new Error("dist/ is missing: run `npx tsc -p .` before the local platform tests");
    }
    stateDir = await mkdtemp(join(tmpdir(), "slipway-local-"));
    dataDir = join(stateDir, "clusters", "dev-1");
    runner = new PulumiRunner({ toolsBinDir, stateDir, passphrase: "local-test-passphrase" });
  });

  afterAll(async () => {
    // Whatever happened above, no process of this test may outlive it.
    if (dataDir && existsSync(dataDir)) {
      await new LocalControlPlane({ name: "dev-1", dataDir, binDir: toolsBinDir }).destroy();
    }
    await rm(stateDir, { recursive: true, force: true });
    console.log(`local platform figures (ms): ${JSON.stringify(figures)}`);
  });

  it("creates a working cluster, hibernates it, resumes it with its data, repairs drift and destroys it", async () => {
    // Create: the kubeconfig output is secret and works.
    const created = await run("up", "Running", "create");
    expect(created.outputs).toMatchObject({ powerState: "Running" });
    expect(created.outputs.apiURL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(created.outputs.infraID).toMatch(/^dev-1-[0-9a-f]{5}$/);
    expect(created.secretOutputNames).toEqual(["kubeconfig"]);
    const kubeconfig = await kubeconfigFile(created.outputs.kubeconfig);
    expect((await kubectl(toolsBinDir, kubeconfig, ["get", "--raw", "/readyz"])).stdout).toBe("ok");
    const cm = await kubectl(toolsBinDir, kubeconfig, [
      "create",
      "configmap",
      "survivor",
      "--from-literal=kept=yes",
    ]);
    expect(cm.code).toBe(0);
    // The cluster's processes do not inherit the passphrase from the provider process.
    for (const p of recordedProcesses()) {
      expect(readFileSync(`/proc/${p.pid}/environ`, "utf8")).not.toContain("local-test-passphrase");
    }
    // The secret output is encrypted in the state file, not stored in plain text.
    const state = readFileSync(
      join(fileURLToPath(runner.backendUrl), ".pulumi", "stacks", "slipway", `${stackName}.json`),
      "utf8",
    );
    expect(state).not.toContain("client-key-data");

    // Hibernate: processes stop, the API is unreachable, the data stays.
    const pids = recordedProcesses();
    const hibernated = await run("up", "Hibernating", "hibernate");
    expect(hibernated.outputs.powerState).toBe("Hibernating");
    expect(hibernated.changes).toEqual({ same: 2, update: 1 });
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await readyz(String(created.outputs.apiURL))).toBe("unreachable");
    expect(existsSync(join(dataDir, "etcd"))).toBe(true);

    // Resume: same cluster, same CA, the ConfigMap written before hibernation is still there.
    const resumed = await run("up", "Running", "resume");
    expect(resumed.outputs).toMatchObject({
      powerState: "Running",
      infraID: created.outputs.infraID,
      caData: created.outputs.caData,
    });
    const resumedKubeconfig = await kubeconfigFile(resumed.outputs.kubeconfig);
    const kept = await kubectl(toolsBinDir, resumedKubeconfig, [
      "get",
      "configmap",
      "survivor",
      "-o",
      "jsonpath={.data.kept}",
    ]);
    expect(kept.stdout).toBe("yes");

    // Drift: processes killed behind Pulumi's back; refresh sees it, the next up repairs it.
    for (const p of recordedProcesses()) process.kill(p.pid, "SIGKILL");
    await waitUntil(() => recordedProcesses().every((p) => !isAlive(p)));
    const refreshed = await run("refresh", "Running", "refresh");
    expect(refreshed.outputs.powerState).toBe("Stopped");
    const repaired = await run("up", "Running", "repair");
    expect(repaired.outputs.powerState).toBe("Running");
    expect(repaired.changes).toMatchObject({ update: 1 });
    const repairedKubeconfig = await kubeconfigFile(repaired.outputs.kubeconfig);
    expect(await readyz(String(repaired.outputs.apiURL))).toBe("ok");
    expect(
      (
        await kubectl(toolsBinDir, repairedKubeconfig, ["get", "configmap", "survivor", "-o", "name"])
      ).stdout.trim(),
    ).toBe("configmap/survivor");

    // Even without a refresh, up compares against the live processes.
    for (const p of recordedProcesses()) process.kill(p.pid, "SIGKILL");
    await waitUntil(() => recordedProcesses().every((p) => !isAlive(p)));
    const selfHealed = await run("up", "Running", "repairWithoutRefresh");
    expect(selfHealed.changes).toMatchObject({ update: 1 });
    expect(await readyz(String(selfHealed.outputs.apiURL))).toBe("ok");

    // Destroy: no process, no data folder, no stack.
    const last = recordedProcesses();
    const destroyed = await run("destroy", "Running", "destroy");
    expect(destroyed.changes).toEqual({ delete: 3 });
    expect(last.filter(isAlive)).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
    expect(await runner.listStacks()).toEqual([]);
    expect(existsSync(join(stateDir, "pulumi", "workspaces", stackName))).toBe(false);
    expect(
      existsSync(join(fileURLToPath(runner.backendUrl), ".pulumi", "stacks", "slipway", `${stackName}.json`)),
    ).toBe(false);
  });

  it("an up cancelled while the control plane starts (a delete) ends at once and leaves no process behind", async () => {
    const cutDir = join(stateDir, "clusters", "cut-1");
    const cutStack = "team-a-cut-1-5a6b7c8d";
    const inputs = {
      clusterName: "cut-1",
      dataDir: cutDir,
      binDir: toolsBinDir,
      powerState: "Running",
      platform: {},
    };
    const abort = new AbortController();
    let launched: RecordedProcess[] = [];
    // Cancel once etcd runs: the start is under way, with a detached process that Pulumi would never record.
    // Once cancelled, launched keeps what was running then: the cleanup rewrites state.json with no process.
    const watch = setInterval(() => {
      if (abort.signal.aborted || !existsSync(join(cutDir, "state.json"))) return;
      try {
        launched = (
          JSON.parse(readFileSync(join(cutDir, "state.json"), "utf8")) as { processes: RecordedProcess[] }
        ).processes;
      } catch {
        return; // being written
      }
      if (launched.length > 0) abort.abort(new Error("the ClusterDeployment is being deleted"));
    }, 50);
    const started = Date.now();
    const cancelled = await runner
      .run({ platform: "local", stackName: cutStack, operation: "up", inputs, signal: abort.signal })
      .catch((e: unknown) => e)
      .finally(() => clearInterval(watch));
    figures.cancelledUp = Date.now() - started;
    expect(abort.signal.aborted).toBe(true);
    expect(classifyPulumiError(cancelled)).toMatchObject({ reason: "Canceled" });
    expect(launched.length).toBeGreaterThan(0);
    expect(launched.filter(isAlive)).toEqual([]);
    expect(existsSync(cutDir)).toBe(false);
    // The destroy that follows finds only what the checkpoint recorded, and leaves no stack.
    await runner.run({ platform: "local", stackName: cutStack, operation: "destroy", inputs });
    expect(await runner.listStacks()).toEqual([]);
  });
});

/** "ok" when the API server answers /readyz (any TLS, any status means it listens), "unreachable" otherwise. */
function readyz(apiURL: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(`${apiURL}/readyz`, { rejectUnauthorized: false, timeout: 3000 }, (res) => {
      res.resume();
      // Anonymous requests may be refused (401/403): the server is up either way.
      resolve("ok");
    });
    req.on("error", () => resolve("unreachable"));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

async function waitUntil(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}
