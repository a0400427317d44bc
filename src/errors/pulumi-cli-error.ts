/**
 * A Pulumi CLI command that Slipway runs itself (not through the Automation API, whose CommandError it otherwise
 * gets) ended with a non-zero exit: its stderr holds the CLI's own `error:` lines, which src/queue/pulumi-errors.ts
 * reads as it reads a CommandError's. Never its stdout, which may hold secrets.
 */
export class PulumiCliError extends Error {
  override name = "PulumiCliError";

  constructor(
    /** The command's first words, e.g. "stack select". */
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`pulumi ${command} failed (exit ${String(exitCode)}): ${stderr.trim()}`);
  }
}
