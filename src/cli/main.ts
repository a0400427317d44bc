import { ConfigError } from "../errors/index.js";
import { runCli } from "./program.js";

/** The `slipway` executable: bin/slipway.js, and the processes `slipway dev up` and the tests start. */
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const kind = err instanceof ConfigError ? "configuration: " : "";
    console.error(`slipway: ${kind}${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
