import { existsSync, readFileSync } from "node:fs";

/**
 * The runner names, in every run's environment (which the CLI hands to its provider processes), a file that it
 * writes when the run is cancelled: Pulumi's own cancel (SIGINT to the CLI) waits for in-flight steps, and a
 * dynamic provider's Cancel call is a no-op, so a long step learns of the cancel here and ends early, cleaning up
 * what it started, and the engine records it as failed rather than waiting for it.
 */
export const RUN_CANCEL_FILE_ENV = "SLIPWAY_RUN_CANCEL_FILE";

/**
 * Aborts when the run this provider process serves is cancelled (its reason says why), looked for every pollMs.
 * For provider code loaded as a module (stacks/local); serialized providers read the file themselves.
 */
export function runCancellation(pollMs = 250): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  const file = process.env[RUN_CANCEL_FILE_ENV];
  if (!file) return { signal: controller.signal, stop: () => undefined };
  const look = () => {
    if (!existsSync(file)) return;
    const why = (() => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return "";
      }
    })();
    controller.abort(new Error(`the run was cancelled${why ? `: ${why}` : ""}`));
    clearInterval(timer);
  };
  const timer = setInterval(look, pollMs);
  timer.unref();
  look();
  return { signal: controller.signal, stop: () => clearInterval(timer) };
}
