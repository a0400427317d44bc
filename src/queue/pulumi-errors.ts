import {
  CommandError,
  ConcurrentUpdateError,
  StackAlreadyExistsError,
  StackNotFoundError,
} from "@pulumi/pulumi/automation/index.js";
import { scrubSecrets } from "../runtime/redaction.js";
import {
  ProviderPluginMissingError,
  PulumiCliError,
  StackBusyError,
  StackLeaseLostError,
  StackOwnerUnknownError,
  StaleStackLockError,
  TerminalStackError,
} from "../errors/index.js";
import { platforms } from "../../stacks/index.js";

/** A failed CLI command: the Automation API's, or one the runner ran itself. Its stderr has the CLI's words. */
const isCliError = (e: unknown): e is CommandError | PulumiCliError =>
  e instanceof CommandError || e instanceof PulumiCliError;

/** What to do about a failed Pulumi operation. */
export interface PulumiErrorClass {
  /** Retry with backoff (transient) or stop until the spec changes (terminal: `Stalled`). */
  retry: boolean;
  /** CamelCase condition reason. */
  reason: string;
  /** The useful line(s) of the failure, secrets removed: safe for a status, an event or a log line. */
  message: string;
}

interface Rule {
  reason: string;
  retry: boolean;
  /** The error object or its text (error name, message and CLI output) shows this failure. */
  matches: (error: unknown, text: string) => boolean;
}

const TRANSIENT_NETWORK =
  /\b(ETIMEDOUT|ECONNRESET|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE)\b|connection (refused|reset)|i\/o timeout|timed? ?out\b|deadline exceeded|TLS handshake timeout|too many requests|\b(429|502|503|504)\b|throttl|rate exceeded|temporarily unavailable|service unavailable/i;

/**
 * The one table of Pulumi failures, first match wins. Everything not listed is retried: a job's attempts are
 * bounded, and a failure nobody foresaw is more often a flake than a wrong spec.
 */
const RULES: Rule[] = [
  // Our own validation: the program or the runner said retrying cannot help.
  {
    reason: "TerminalStackError",
    retry: false,
    matches: (e, t) => e instanceof TerminalStackError || /TerminalStackError\b/.test(t),
  },
  {
    reason: "SimulatedTerminalFailure",
    retry: false,
    matches: (_e, t) => t.includes("SimulatedTerminalFailure:"),
  },
  {
    reason: "SimulatedTransientFailure",
    retry: true,
    matches: (_e, t) => t.includes("SimulatedTransientFailure:"),
  },
  // A platform provider's own failures, by the reason its message starts with (vsphere's: a wrong password stops,
  // vCenter gone away retries); before the generic rules, whose words ("no space", "timed out") they may contain.
  ...platforms.flatMap((p) =>
    (p.faults ?? []).map(({ reason, retry }) => ({
      reason,
      retry,
      matches: (_e: unknown, t: string) => t.includes(`${reason}: `),
    })),
  ),
  // The state folder, the workspace or the backend is full: freeing space fixes it, and the message would
  // otherwise match a terminal rule below ("failed to load project: write ...: no space left on device").
  {
    reason: "DiskFull",
    retry: true,
    matches: (_e, t) => /\b(ENOSPC|EDQUOT)\b|no space left on device|disk quota exceeded/i.test(t),
  },
  // The stack is locked and its lease vacant, but not yet for a whole ttl: its owner may be alive with a lease
  // Redis lost. Wait (deferred) until it re-asserts its lease or stays away long enough to be proven dead.
  { reason: "StackOwnerUnknown", retry: true, matches: (e) => e instanceof StackOwnerUnknownError },
  // Another live worker holds the stack's lease: wait for it (the job is deferred, not failed).
  { reason: "StackBusy", retry: true, matches: (e) => e instanceof StackBusyError },
  // This worker could not renew its lease in time and stopped its run: whoever holds the lease next goes on.
  { reason: "StackLeaseLost", retry: true, matches: (e) => e instanceof StackLeaseLostError },
  // A Pulumi lock: the retry that holds the stack's lease (its owner's expired: it is dead) clears it and runs.
  {
    reason: "StackLocked",
    retry: true,
    matches: (e, t) =>
      e instanceof ConcurrentUpdateError ||
      e instanceof StaleStackLockError ||
      /the stack is currently locked|Another update is currently in progress|\[409\] Conflict/.test(t),
  },
  // The stack (or its workspace) vanished between select and run, or two workers raced to create it.
  {
    reason: "StackNotFound",
    retry: true,
    matches: (e, t) => e instanceof StackNotFoundError || /no stack named .* found/.test(t),
  },
  {
    reason: "StackAlreadyExists",
    retry: true,
    matches: (e, t) => e instanceof StackAlreadyExistsError || /stack .* already exists/.test(t),
  },
  // A cloud platform's provider plugin, not installed on this worker: waits for someone to install it.
  { reason: "ProviderPluginMissing", retry: true, matches: (e) => e instanceof ProviderPluginMissingError },
  // Configuration of Slipway itself (secrets provider, CLI, plugins): retrying the same job cannot fix it.
  {
    reason: "SecretsProviderMisconfigured",
    retry: false,
    matches: (_e, t) =>
      /incorrect passphrase|passphrase must be set|failed to decrypt|constructing secrets manager/i.test(t),
  },
  {
    reason: "InvalidConfiguration",
    retry: false,
    matches: (_e, t) =>
      /Missing required configuration|invalid configuration|config(uration)? validation|could not parse (Pulumi|project|stack) (yaml|settings)|invalid Pulumi\.yaml|failed to (load|validate) (project|stack)/i.test(
        t,
      ),
  },
  {
    reason: "PluginMissing",
    retry: false,
    matches: (_e, t) =>
      /no resource plugin '.*' found|could not find plugin|failed to load plugin|pulumi-resource-pulumi-nodejs: not found/i.test(
        t,
      ),
  },
  {
    reason: "CLIUnavailable",
    retry: false,
    matches: (_e, t) =>
      /the Pulumi CLI (is missing|in .* is)|spawn .*pulumi ENOENT|Major version mismatch/.test(t),
  },
  // Providers failing for reasons that pass: networks, API rate limits, readiness waits.
  {
    reason: "ProviderTransientError",
    retry: true,
    matches: (e, t) => isCliError(e) && TRANSIENT_NETWORK.test(t),
  },
  {
    reason: "Canceled",
    retry: true,
    matches: (e, t) =>
      // "the run was cancelled": a provider's in-flight step that ended early for the cancel (stacks/dynamic).
      (e as Error)?.name === "AbortError" ||
      /update (was )?canceled|operation aborted|the run was cancelled/i.test(t),
  },
  {
    reason: "ProgramFailed",
    retry: true,
    matches: (_e, t) => /Running program .* failed|unhandled exception/i.test(t),
  },
  { reason: "ProviderError", retry: true, matches: isCliError },
];

/** Classifies a failure of PulumiRunner.run: retry or stop, a CamelCase reason and a message without secrets. */
export function classifyPulumiError(error: unknown, opts: { secrets?: string[] } = {}): PulumiErrorClass {
  const text = errorText(error);
  const rule = RULES.find((r) => r.matches(error, text));
  // Redact before picking lines, so a PEM block spanning lines cannot push the useful ones out; and after, for
  // anything the line picking joined back together.
  const message = scrubSecrets(
    usefulLines(error, scrubSecrets(text, opts.secrets), opts.secrets),
    opts.secrets,
  );
  if (!rule) return { retry: true, reason: "UnexpectedError", message };
  if (error instanceof TerminalStackError) return { retry: false, reason: error.reason, message };
  if (rule.reason === "TerminalStackError") {
    // Flattened by the CLI: "TerminalStackError: <message>" with the reason lost; InvalidInputs is the common case.
    return { retry: false, reason: "InvalidInputs", message };
  }
  return { retry: rule.retry, reason: rule.reason, message };
}

function errorText(error: unknown): string {
  if (error instanceof CommandError) {
    // commandResult is private in the typings; its stdout/stderr hold the CLI's own words.
    const r = (error as unknown as { commandResult?: { stdout?: string; stderr?: string; err?: Error } })
      .commandResult;
    return [error.name, r?.stderr ?? "", r?.stdout ?? "", r?.err?.message ?? "", error.message].join("\n");
  }
  if (error instanceof PulumiCliError) return [error.name, error.stderr].join("\n");
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Go's multi-error (hashicorp/go-multierror, which the CLI uses) prints "N errors occurred:" and then one "* cause"
 * line per error: the causes join their header, so that a line picked for its `error:` keeps them.
 */
function withMultiErrorCauses(lines: string[]): string[] {
  const out: { line: string; causes: string[] }[] = [];
  for (const line of lines) {
    const previous = out.at(-1);
    if (line.startsWith("* ") && previous && /\berrors? occurred:$/.test(previous.line))
      previous.causes.push(line.slice(2));
    else out.push({ line, causes: [] });
  }
  return out.map(({ line, causes }) => (causes.length > 0 ? `${line} ${causes.join("; ")}` : line));
}

/**
 * The lines a person needs: for CLI failures the `error:` lines (minus the generic "update failed"), else the
 * error's own message; at most three lines of 300 characters.
 */
function usefulLines(error: unknown, text: string, secrets?: string[]): string {
  let lines: string[];
  if (isCliError(error)) {
    const errorLines = withMultiErrorCauses(text.split("\n").map((l) => l.trim()))
      .filter(
        (l) =>
          /^error: /i.test(l) ||
          /\berror: /.test(l) ||
          /^(SimulatedTransientFailure|SimulatedTerminalFailure|TerminalStackError):/.test(l),
      )
      .map((l) =>
        l.replace(/^.*?\berror: /i, "").replace(/^Unhandled exception: (TerminalStackError: )?/, ""),
      )
      .filter(
        (l) => !/^(update failed|preview failed|destroy failed|refresh failed)$/i.test(l) && l.length > 0,
      );
    lines = [...new Set(errorLines)];
    if (lines.length === 0) {
      lines = text
        .split("\n")
        .map((l) => l.trim())
        .filter(
          (l) =>
            l.length > 0 &&
            !/^(code|stdout|stderr|err\?):/.test(l) &&
            l !== "CommandError" &&
            l !== "PulumiCliError",
        );
    }
  } else if (error instanceof Error) {
    lines = scrubSecrets(error.message, secrets).split("\n");
  } else {
    lines = [String(error)];
  }
  return lines
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(0, 3)
    .map((l) => (l.length > 300 ? `${l.slice(0, 297)}...` : l))
    .join("\n");
}
