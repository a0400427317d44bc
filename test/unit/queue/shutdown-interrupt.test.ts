import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isEngineShutdownRejection } from "../../../src/queue/pulumi-runner.js";
import { RunProcesses, type RunContext } from "../../../src/queue/run-processes.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

/*
 * How a stopping worker interrupts a run: the CLI gets Pulumi's cancel (one SIGINT) even when it started after the
 * interrupt, never a second one (which would make it quit with its stack locked), and a CLI that outlives the
 * grace period is ended and reported as such. Real processes stand in for the CLI.
 */
describe("interrupting a run", () => {
  const tempFolder = temporaryFolders("slipway-interrupt-");
  let stateDir: string;
  beforeAll(() => {
    stateDir = tempFolder();
  });

  /**
   * A stand-in CLI (`sh -c`) that writes a line per SIGINT; it exits on the first one unless told to stay. It
   * writes `<record>.ready` once it handles SIGINT, as the real CLI does soon after it starts.
   */
  async function cli(run: RunContext, record: string, opts: { stays: boolean }): Promise<void> {
    const onInt = opts.stays ? `echo int >> ${record}` : `echo int >> ${record}; exit 130`;
    const script = `trap '${onInt}' INT; touch ${record}.ready; while :; do sleep 0.05; done`;
    const child = spawn("sh", ["-c", script], {
      env: { ...process.env, ...run.env },
      stdio: "ignore",
    });
    await once(child, "exit");
  }

  const interruptsShell = {
    interrupts: (p: { command: string }) => p.command === "sh -c",
    interruptPollMs: 20,
  };

  it("a CLI started after the interrupt gets one SIGINT and the run settles without being forced", async () => {
    const processes = new RunProcesses({ stateDir, interruptGraceMs: 30_000, ...interruptsShell });
    const record = join(stateDir, "late.log");
    const abort = new AbortController();
    let context!: RunContext;
    await processes.run(abort.signal, async (run) => {
      context = run;
      // The interrupt comes while the workspace is prepared, before any CLI runs (the Automation API's own
      // interrupt would reach no CLI then).
      abort.abort(new Error("the worker stops"));
      await cli(run, record, { stays: false });
    });
    expect(readFileSync(record, "utf8")).toBe("int\n");
    expect(context.forced).toBe(false);
  });

  it("a CLI that outlives the grace period got exactly one SIGINT, is ended, and the run says it was forced", async () => {
    const processes = new RunProcesses({
      stateDir,
      interruptGraceMs: 500,
      killGraceMs: 200,
      ...interruptsShell,
    });
    const record = join(stateDir, "stuck.log");
    const abort = new AbortController();
    let context!: RunContext;
    await processes.run(abort.signal, async (run) => {
      context = run;
      const running = cli(run, record, { stays: true });
      await expect.poll(() => existsSync(`${record}.ready`)).toBe(true);
      abort.abort(new Error("the worker stops"));
      await running;
    });
    expect(readFileSync(record, "utf8")).toBe("int\n");
    expect(context.forced).toBe(true);
  });

  it("close() refuses new runs after interrupting the running ones", async () => {
    const processes = new RunProcesses({ stateDir, ...interruptsShell });
    await processes.close();
    await expect(processes.run(undefined, async () => "ran")).rejects.toThrow();
  });
});

describe("the Pulumi SDK's rejections once its engine shut down", () => {
  it("are told apart from any other rejection", () => {
    // What @pulumi/pulumi's runtime rejects a program's pending registration with when the engine is gone.
    const late = Object.assign(
      new Error("failed to register new resource cp [x:y]: Resource monitor is terminating"),
      {
        code: 14,
      },
    );
    expect(isEngineShutdownRejection(late)).toBe(true);
    expect(
      isEngineShutdownRejection(Object.assign(new Error("Resource monitor is terminating"), { code: 1 })),
    ).toBe(true);
    expect(isEngineShutdownRejection(new Error("Resource monitor is terminating"))).toBe(false);
    expect(isEngineShutdownRejection(Object.assign(new Error("ECONNREFUSED"), { code: 14 }))).toBe(false);
    expect(isEngineShutdownRejection(undefined)).toBe(false);
  });
});
