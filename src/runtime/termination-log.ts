import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { scrubSecrets } from "./redaction.js";
import { isExpectedRejection } from "./unhandled-rejections.js";

/**
 * Room for the last words: the reason a process ended. Written in full at start, so that rewriting it in place
 * later needs no new disk blocks and works on a full disk (copy-on-write file systems such as btrfs or ZFS
 * excepted).
 */
export const TERMINATION_LOG_BYTES = 4096;

/** The first word of a termination log whose process never recorded an end: it was killed or is running. */
export const STARTED = "started";

/**
 * A process's last words, Kubernetes' terminationMessagePath for processes that `slipway dev up` supervises:
 * `open` fills the file at start ("started <time> pid <pid>"), and the fatal-error handlers, the command's own
 * failure and a normal exit overwrite it with why the process ended. The descriptor stays open, so recording
 * needs neither a new file nor a free descriptor.
 */
export class TerminationLog {
  private recorded = false;

  private constructor(private readonly fd: number) {}

  static open(path: string): TerminationLog {
    const log = new TerminationLog(openSync(path, "w"));
    log.write(`${STARTED} ${new Date().toISOString()} pid ${process.pid}`);
    return log;
  }

  /** Records why the process ends; the first reason wins (a fatal error, not the exit that follows it). */
  record(reason: string): void {
    if (this.recorded) return;
    this.recorded = true;
    this.write(`${new Date().toISOString()} ${scrubSecrets(reason)}`);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Already closed.
    }
  }

  private write(text: string): void {
    const bytes = Buffer.alloc(TERMINATION_LOG_BYTES, " ");
    const body = Buffer.from(text.replaceAll("\n", " | "));
    body.copy(bytes, 0, 0, Math.min(body.length, TERMINATION_LOG_BYTES - 1));
    bytes[TERMINATION_LOG_BYTES - 1] = 0x0a;
    try {
      writeSync(this.fd, bytes, 0, bytes.length, 0);
    } catch {
      // Nothing else to tell it to: standard error is a log file on the same disk.
    }
  }
}

/** What a termination log says, trimmed; undefined when there is none. */
export function readTerminationLog(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** An error in one line: "ENOSPC: no space left on device, write" and the top stack frame. */
export function describeFatal(kind: string, error: unknown): string {
  if (!(error instanceof Error)) return `${kind}: ${String(error)}`;
  const frame = error.stack?.split("\n").find((l) => l.trim().startsWith("at "));
  return `${kind}: ${error.message}${frame ? ` (${frame.trim()})` : ""}`;
}

let current: TerminationLog | undefined;

/**
 * Opens the process's termination log and records in it an uncaught exception, an unhandled rejection (each then
 * ends the process with exit code 1, as Node would) and every other exit with its code.
 */
export function recordTermination(path: string): TerminationLog | undefined {
  let log: TerminationLog;
  try {
    log = TerminationLog.open(path);
  } catch (err) {
    // A process that cannot prepare its last words (a disk already full) still runs.
    try {
      process.stderr.write(`slipway: no termination log at ${path}: ${(err as Error).message}\n`);
    } catch {
      // Standard error is on the same disk.
    }
    return undefined;
  }
  current?.close();
  current = log;
  const fatal = (kind: string) => (error: unknown) => {
    if (isExpectedRejection(error)) return;
    log.record(describeFatal(kind, error));
    try {
      process.stderr.write(`slipway: ${describeFatal(kind, error)}\n`);
    } catch {
      // The termination log has it.
    }
    process.exit(1);
  };
  process.on("uncaughtException", fatal("uncaught exception"));
  process.on("unhandledRejection", fatal("unhandled rejection"));
  process.on("exit", (code) => log.record(`exited with code ${code}`));
  return log;
}

/** Records why the process is about to end in its termination log, when it has one. */
export function recordLastWords(reason: string): void {
  current?.record(reason);
}
