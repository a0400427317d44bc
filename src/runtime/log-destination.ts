import { writeSync } from "node:fs";
import type { DestinationStream } from "pino";

export interface SurvivingDestinationOptions {
  /** Where log lines go: standard output (1) unless told. */
  fd?: number;
  /** Where the one-line notice of a failing destination goes: standard error (2) unless told; -1 for none. */
  noticeFd?: number;
  /** The `logger` key of the line that reports dropped lines once writing works again. */
  name?: string;
}

/** How long one write waits on a full pipe (EAGAIN) before the line counts as dropped. */
const EAGAIN_WAIT_MS = 1_000;

/**
 * A pino destination that never throws. A full disk (ENOSPC), a broken pipe or an I/O error drops the line
 * instead of killing the process mid-line, as a synchronous write to standard output does. The first failure of
 * an episode says so once on standard error (which may fail too: then nothing more is tried); once a write works
 * again it first logs "dropped N log lines while <error>", so a gap in the log is never silent.
 */
export class SurvivingDestination implements DestinationStream {
  private readonly fd: number;
  private readonly noticeFd: number;
  private readonly name: string;
  private droppedLines = 0;
  private failure?: string;
  /** A line was cut short: the next write starts on a new line so the log stays one JSON object per line. */
  private midLine = false;

  constructor(options: SurvivingDestinationOptions = {}) {
    this.fd = options.fd ?? 1;
    this.noticeFd = options.noticeFd ?? 2;
    this.name = options.name ?? "runtime.logging";
  }

  /** Lines dropped since writing last worked (0 while it works). */
  get dropped(): number {
    return this.droppedLines;
  }

  write(line: string): void {
    if (this.failure !== undefined && !this.recovered()) {
      this.droppedLines += 1;
      return;
    }
    const error = this.writeAll(line);
    if (error) this.startDropping(error);
  }

  /** Tries to write the "dropped N lines" notice; true when it went out and normal writing resumes. */
  private recovered(): boolean {
    const notice = JSON.stringify({
      level: 40,
      time: Date.now(),
      pid: process.pid,
      logger: this.name,
      droppedLines: this.droppedLines,
      msg: `dropped ${this.droppedLines} log lines while ${this.failure}`,
    });
    if (this.writeAll(`${this.midLine ? "\n" : ""}${notice}\n`)) return false;
    this.failure = undefined;
    this.droppedLines = 0;
    this.midLine = false;
    return true;
  }

  private startDropping(error: NodeJS.ErrnoException): void {
    this.failure = error.message;
    this.droppedLines = 1;
    if (this.noticeFd < 0) return;
    const notice = `slipway: cannot write log lines (${error.message}); counting dropped lines until writing works again\n`;
    try {
      writeSync(this.noticeFd, notice);
    } catch {
      // Standard error shares the disk or pipe that failed: the count reports the gap later.
    }
  }

  /** Writes the whole text, waiting briefly on a full pipe; returns the error that stopped it, if any. */
  private writeAll(text: string): NodeJS.ErrnoException | undefined {
    let rest = Buffer.from(text);
    const deadline = Date.now() + EAGAIN_WAIT_MS;
    while (rest.length > 0) {
      try {
        const written = writeSync(this.fd, rest);
        if (written > 0 && written < rest.length) this.midLine = true;
        rest = rest.subarray(written);
      } catch (err) {
        const error = err as NodeJS.ErrnoException;
        if (error.code !== "EAGAIN" || Date.now() > deadline) return error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    }
    this.midLine = false;
    return undefined;
  }
}
