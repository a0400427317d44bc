/**
 * Rejections a library leaves unhandled on purpose, for its own process-level handler, which are no fault of this
 * process. The Pulumi SDK is one: an inline program runs in the worker's process, and when its engine shuts down
 * (a run interrupted or ended) the program's pending calls to the engine reject with "Resource monitor is
 * terminating", re-raised as unhandled rejections for a handler that the Automation API installs only while the
 * program runs. Ones that arrive once it is gone, or beside another fatal handler (the termination log's), would
 * end a worker that has nothing wrong with it.
 */
const expected: ((reason: unknown) => boolean)[] = [];
let installed = false;

/**
 * Declares rejections that must not end the process. Also installs, once, a handler that ends the process on any
 * other unhandled rejection when no other handler is listening, as Node does without one.
 */
export function expectUnhandledRejections(isExpected: (reason: unknown) => boolean): void {
  if (!expected.includes(isExpected)) expected.push(isExpected);
  if (installed) return;
  installed = true;
  process.on("unhandledRejection", (reason) => {
    if (isExpectedRejection(reason)) return;
    // Another handler decides: the termination log's, or the Pulumi SDK's while a program runs.
    if (process.listenerCount("unhandledRejection") > 1) return;
    throw reason;
  });
}

/** Whether a rejection was declared harmless by expectUnhandledRejections. */
export function isExpectedRejection(reason: unknown): boolean {
  return expected.some((isExpected) => isExpected(reason));
}
