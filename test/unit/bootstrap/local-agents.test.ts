import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  agentPids,
  LocalAgents,
  registrationDir,
  writeIntent,
} from "../../../src/bootstrap/registration/local-agent.js";
import { markedProcesses } from "../../../src/queue/process-tree.js";
import { eventually } from "../../harness/eventually.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

/**
 * The worker's supervision of local clusters' agents, with a stand-in program in place of OCM's agent (which
 * test/e2e/registration-local.test.ts runs for real): it records its arguments and runs until killed, or exits at
 * once when told to, so restarts show.
 */
function standIn(dir: string): string {
  const path = join(dir, "stand-in-agent.sh");
  // Not `exec`: the shell keeps the agent's command line, by which the supervisor finds it.
  const script = [
    "#!/bin/sh",
    `if [ -f "${join(dir, "crash")}" ]; then exit 3; fi`,
    "trap 'kill $! 2>/dev/null; exit 0' TERM",
    "sleep 600 &",
    "wait",
    "",
  ].join("\n");
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}

describe("LocalAgents: OCM's agent beside each local cluster, supervised by the worker", () => {
  let agents: LocalAgents | undefined;
  const tempFolder = temporaryFolders("slipway-agents-");
  let stateDir = "";
  afterEach(async () => {
    await agents?.close();
  });

  function setUp() {
    stateDir = tempFolder();
    const clusterDir = join(stateDir, "clusters", "ns-alpha-1234");
    mkdirSync(clusterDir, { recursive: true });
    agents = new LocalAgents({
      stateDir,
      binary: standIn(stateDir),
      scanIntervalMs: 100,
      backoffBaseMs: 50,
      backoffCapMs: 200,
      spokeLive: async () => true,
    });
    return { clusterDir, dir: registrationDir(clusterDir) };
  }

  it("starts the agent from the intent, marked for the orphan reaper, and stops it when the intent says stopped", async () => {
    const { dir } = setUp();
    await writeIntent(dir, { desired: "running", clusterName: "alpha" });
    await agents!.reconcile(dir);
    const [pid] = await eventually("agent running", async () =>
      agentPids(dir).length === 1 ? agentPids(dir) : undefined,
    );
    const marked = markedProcesses({ stateDir }).map((p) => p.pid);
    expect(marked).toContain(pid);
    await writeIntent(dir, { desired: "stopped", clusterName: "alpha" });
    await agents!.reconcile(dir);
    expect(agentPids(dir)).toEqual([]);
  });

  it("restarts an agent that exits, and ends it once the cluster's folder is gone", async () => {
    const { clusterDir, dir } = setUp();
    writeFileSync(join(stateDir, "crash"), "");
    agents!.start();
    await writeIntent(dir, { desired: "running", clusterName: "alpha" });
    // It keeps exiting; once it may run, the next restart (within the capped backoff) keeps it up.
    await new Promise((r) => setTimeout(r, 300));
    rmSync(join(stateDir, "crash"));
    await eventually("agent running after restarts", async () => agentPids(dir).length === 1);
    rmSync(clusterDir, { recursive: true, force: true });
    await eventually("agent ended with its cluster", async () => agentPids(dir).length === 0, 10_000);
  });

  it("two passes over one folder never start two agents", async () => {
    const { dir } = setUp();
    await writeIntent(dir, { desired: "running", clusterName: "alpha" });
    await Promise.all([agents!.reconcile(dir), agents!.reconcile(dir), agents!.reconcile(dir)]);
    await eventually("one agent", async () => agentPids(dir).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(agentPids(dir)).toHaveLength(1);
  });
});
