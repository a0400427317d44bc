import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, USAGE_ERROR } from "../../../src/cli/program.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

/** Runs the `slipway` command line in-process; help and usage errors are captured, not printed. */
async function slipway(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    writeOut: (text) => (out += text),
    writeErr: (text) => (err += text),
  });
  return { code, out, err };
}

describe("the slipway command line", () => {
  const tempFolder = temporaryFolders("slipway-cli-");
  let stateDir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    // No hub here: every command that gets past parsing fails on the missing kubeconfig, which proves it ran.
    stateDir = tempFolder();
    for (const key of ["SLIPWAY_KUBECONFIG", "KUBECONFIG", "SLIPWAY_STATE_DIR"]) delete process.env[key];
  });

  afterAll(async () => {
    process.env = saved;
  });

  it("lists every command in --help and exits 0", async () => {
    const help = await slipway("--help");
    expect(help.code).toBe(0);
    for (const command of [
      "dev",
      "controller",
      "worker",
      "get",
      "kubeconfig",
      "hibernate",
      "resume",
      "claim",
      "failover",
      "bench",
    ])
      expect(help.out).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    const dev = await slipway("dev", "--help");
    expect(dev.out).toMatch(/^ {2}up \[options\]/m);
    expect(dev.out).toMatch(/^ {2}status/m);
  });

  it("shows the help and exits 2 without a command", async () => {
    const none = await slipway();
    expect(none.code).toBe(USAGE_ERROR);
    expect(none.err).toContain("Usage: slipway");
    expect((await slipway("dev")).code).toBe(USAGE_ERROR);
  });

  it.each([
    [["dev", "up", "--bogus"], "unknown option '--bogus'"],
    [["claim", "dev-pool", "--kubeconfig"], "unknown option '--kubeconfig'"],
    [["provision"], "unknown command 'provision'"],
    [["claim"], "missing required argument 'pool'"],
    [["kubeconfig"], "missing required argument 'name'"],
    [["hibernate", "a", "b"], "too many arguments for 'hibernate'"],
    [["get", "nodes"], "Allowed choices are clusters, cd, clusterdeployments"],
    [["claim", "dev-pool", "--timeout", "soon"], '"soon" is not a duration'],
    [["bench", "claims", "--claims", "-1"], "expected a non-negative integer"],
    [["bench", "--scenario", "cloud"], "Allowed choices are local, simulated, all"],
  ])("rejects %j with exit code 2 and says why", async (argv, says) => {
    const result = await slipway(...argv);
    expect(result.code).toBe(USAGE_ERROR);
    expect(result.err).toContain(says);
    expect(result.err).toContain("(add --help for usage)");
  });

  it("runs the command with --state-dir given before or after it", async () => {
    await expect(slipway("--state-dir", stateDir, "kubeconfig", "alpha", "-n", "team")).rejects.toThrow(
      `no hub kubeconfig at ${join(stateDir, "kubeconfig")}`,
    );
    const other = join(stateDir, "other");
    // The form `slipway dev up` starts the controller and worker with.
    await expect(slipway("hibernate", "alpha", `--state-dir=${other}`)).rejects.toThrow(
      `no hub kubeconfig at ${join(other, "kubeconfig")}`,
    );
  });
});
