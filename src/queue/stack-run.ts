import { logger } from "../runtime/logging.js";
import { JobDeferredError, StackBusyError, TerminalJobError } from "../errors/index.js";
import { jobSubject } from "./job.js";
import type { JobContext } from "./job-worker.js";
import { classifyPulumiError } from "./pulumi-errors.js";
import type { PulumiRunner, PulumiRunRequest, PulumiRunResult } from "./pulumi-runner.js";
import type { StackJobData, StackJobProgress } from "./stack-job.js";

const log = logger("stack-run");

/** Past the lease's own expiry, so the retry finds it gone rather than busy again. */
const BUSY_MARGIN_MS = 250;
/** A job its stopping worker interrupted waits again at once, for another worker (or this one's successor). */
const INTERRUPTED_RETRY_MS = 0;

/**
 * Runs one Pulumi operation for a stack job of any kind: the job owns the stack's lease, engine progress becomes
 * the job's progress, and a failure becomes the job layer's verdict, decided once in classifyPulumiError: wait
 * for the stack's live owner (deferred, no attempt used), retry with backoff, or stop (terminal).
 */
export async function runStackJob(
  runner: PulumiRunner,
  job: JobContext<StackJobData, StackJobProgress>,
  request: Omit<PulumiRunRequest, "jobId" | "onProgress">,
): Promise<PulumiRunResult> {
  try {
    return await runner.run({
      ...request,
      jobId: job.id,
      onProgress: (p) => job.progress(p),
      // Whoever queued the job cancels it (a delete during a long up): the CLI records what finished and stops.
      signal: request.signal ? AbortSignal.any([request.signal, job.signal]) : job.signal,
    });
  } catch (err) {
    if (job.signal.aborted) {
      log.info(
        { ...jobSubject(job.data), jobId: job.id, stack: request.stackName },
        `${request.operation} of stack ${request.stackName} was cancelled: ${(job.signal.reason as Error).message}`,
      );
      throw err; // the job layer fails a cancelled job for good
    }
    if (runner.closing) {
      // Not the job's failure: no attempt is used, and the stack's lease is already released for the next worker.
      throw new JobDeferredError(
        "WorkerStopping",
        `the worker stopped during ${request.operation} of stack ${request.stackName}; another worker runs it again`,
        INTERRUPTED_RETRY_MS,
      );
    }
    const c = classifyPulumiError(err);
    if (err instanceof StackBusyError) {
      throw new JobDeferredError(c.reason, c.message, Math.max(err.retryInMs, 0) + BUSY_MARGIN_MS);
    }
    log.warn(
      { ...jobSubject(job.data), jobId: job.id, stack: request.stackName, reason: c.reason, retry: c.retry },
      `${request.operation} failed: ${c.message}`,
    );
    if (!c.retry) throw new TerminalJobError(c.reason, c.message);
    throw new Error(`${c.reason}: ${c.message}`);
  }
}
