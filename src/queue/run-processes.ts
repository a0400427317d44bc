import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { RUN_CANCEL_FILE_ENV } from "../../stacks/dynamic/cancellation.js";
import { logger } from "../runtime/logging.js";
import {
  endProcesses,
  markedProcesses,
  processIdentity,
  signalProcess,
  type MarkedProcess,
  RUN_ID_ENV,
  RUN_OWNER_ENV,
  RUN_STATE_DIR_ENV,
} from "./process-tree.js";

const log = logger("run-processes");

export interface RunProcessesOptions {
  /** The state folder the runs work in: a later worker of the same folder ends what a dead one left. */
  stateDir: string;
  /** How long an interrupted CLI has to record what finished and release its lock before its processes end. */
  interruptGraceMs?: number;
  /** Between SIGTERM and SIGKILL when processes are ended. */
  killGraceMs?: number;
  /**
   * Which of a run's processes an interrupt is for: the Pulumi CLI running an operation. Each gets SIGINT once,
   * Pulumi's own cancel (a second SIGINT would make the CLI quit at once, its lock held and its checkpoint
   * unwritten). Default: none, the run is only ended after its grace period.
   */
  interrupts?: (process: MarkedProcess) => boolean;
  /** How often an interrupted run is searched for a CLI that started after the interrupt. Default 100 ms. */
  interruptPollMs?: number;
}

/** What one run passes to its CLI. */
export interface RunContext {
  /** Environment of the run's CLI (which passes it on to its plugins): the owner's marker and the run's id. */
  env: Record<string, string>;
  /** Aborted when the caller aborts the run or the owner closes. */
  signal: AbortSignal;
  /**
   * Set once the run's processes had to be ended because they outlived the interrupt's grace period: a CLI ended
   * that way left its stack locked (and its last step pending).
   */
  readonly forced: boolean;
}

/**
 * The processes of one worker's Pulumi runs, so that none outlives its owner: every run's processes carry the
 * worker's marker and the run's id in their environment; an interrupted run's processes are ended once its CLI
 * has had its grace period, whatever a run leaves behind is ended when it settles, and `close()` interrupts every
 * run and ends them all. Without procfs nothing can be found, and runs go unmarked.
 */
export class RunProcesses {
  /** RUN_OWNER_ENV of this process; undefined without procfs. */
  readonly owner = processIdentity();
  private readonly stateDir: string;
  private readonly interruptGraceMs: number;
  private readonly killGraceMs: number;
  private readonly interruptsProcess?: (process: MarkedProcess) => boolean;
  private readonly interruptPollMs: number;
  private readonly stopping = new AbortController();
  private readonly running = new Set<Promise<void>>();

  constructor(opts: RunProcessesOptions) {
    this.stateDir = resolve(opts.stateDir);
    this.interruptGraceMs = opts.interruptGraceMs ?? 8_000;
    this.killGraceMs = opts.killGraceMs ?? 2_000;
    this.interruptsProcess = opts.interrupts;
    this.interruptPollMs = opts.interruptPollMs ?? 100;
  }

  /** Whether this owner interrupts its runs' CLIs itself (it needs procfs and an `interrupts` choice). */
  get interrupts(): boolean {
    return this.owner !== undefined && this.interruptsProcess !== undefined;
  }

  /** close() was called: runs are being interrupted, new ones refused. */
  get closed(): boolean {
    return this.stopping.signal.aborted;
  }

  /** The owner's marker, for CLI commands outside a run (listing stacks). */
  get env(): Record<string, string> {
    return this.owner ? { [RUN_OWNER_ENV]: this.owner, [RUN_STATE_DIR_ENV]: this.stateDir } : {};
  }

  /** Runs `work` as one run: its processes are ended when it is interrupted and when it settles. */
  async run<T>(signal: AbortSignal | undefined, work: (run: RunContext) => Promise<T>): Promise<T> {
    this.stopping.signal.throwIfAborted();
    signal?.throwIfAborted(); // cancelled before it started: nothing would tell the CLI
    const runId = randomUUID();
    const runSignal = signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal;
    let deadline: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    const context = { env: {} as Record<string, string>, signal: runSignal, forced: false };
    // The CLI's cancel waits for in-flight steps; the run's providers look for this file to end theirs early.
    const cancelFile = join(this.stateDir, "runs", `${runId}.cancelled`);
    const interrupted = new Set<string>();
    const interrupt = () => {
      if (!this.owner || !this.interruptsProcess) return;
      for (const p of markedProcesses({ owner: this.owner, runId })) {
        const key = `${p.pid}/${p.startTime}`;
        if (interrupted.has(key) || !this.interruptsProcess(p)) continue;
        interrupted.add(key);
        signalProcess(p.pid, "SIGINT");
      }
    };
    const onAbort = () => {
      try {
        mkdirSync(join(this.stateDir, "runs"), { recursive: true });
        const why = runSignal.reason instanceof Error ? runSignal.reason.message : "";
        writeFileSync(cancelFile, why.slice(0, 512));
      } catch (error) {
        log.warn({ runId }, `Could not tell the run's providers of the cancel: ${(error as Error).message}`);
      }
      // The CLI running now, and any the run starts later (an abort that came while the workspace was being
      // prepared would otherwise reach no CLI at all): each is interrupted as soon as it is seen.
      interrupt();
      poll = setInterval(interrupt, this.interruptPollMs);
      deadline = setTimeout(() => {
        if (this.owner && markedProcesses({ owner: this.owner, runId }).length > 0) context.forced = true;
        void this.end("the run was interrupted", runId);
      }, this.interruptGraceMs);
    };
    runSignal.addEventListener("abort", onAbort, { once: true });
    context.env = {
      ...(this.owner ? { ...this.env, [RUN_ID_ENV]: runId } : {}),
      [RUN_CANCEL_FILE_ENV]: cancelFile,
    };
    const result = work(context);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    try {
      return await result;
    } finally {
      runSignal.removeEventListener("abort", onAbort);
      clearTimeout(deadline);
      clearInterval(poll);
      this.running.delete(settled);
      await this.end("the run ended", runId);
      await rm(cancelFile, { force: true });
    }
  }

  /** Interrupts every run, waits for them (each is ended after its grace period), then ends what is left. */
  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.running);
    await this.end("the worker is stopping");
  }

  private async end(why: string, runId?: string): Promise<void> {
    if (!this.owner) return;
    const left = markedProcesses({ owner: this.owner, runId });
    if (left.length === 0) return;
    log.info(
      { runId, processes: left.map((p) => ({ pid: p.pid, command: p.command })) },
      `Ending ${left.length} process(es) of Pulumi runs: ${why}`,
    );
    await endProcesses(left, this.killGraceMs);
  }
}
