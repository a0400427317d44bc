import { ConfigError } from "../errors/index.js";
import { runCli } from "./program.js";
import { recordLastWords } from "../runtime/termination-log.js";

/** The `slipway` executable: bin/slipway.js, and the processes `slipway dev up` and the tests start. */
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const kind = err instanceof ConfigError ? "configuration: " : "";
    const message = `${kind}${err instanceof Error ? err.message : String(err)}`;
    recordLastWords(`failed: ${message}`);
    console.error(`slipway: ${message}`);
    process.exitCode = 1;
  },
);
