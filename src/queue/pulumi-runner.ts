import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  ConcurrentUpdateError,
  LocalWorkspace,
  PulumiCommand,
  Stack,
  type EngineEvent,
  type OpMap,
  type OutputMap,
} from "@pulumi/pulumi/automation/index.js";
import {
  CREDENTIALS_CONFIG_KEY,
  assertProviderPlugins,
  pulumiHomeFor,
  stackProgramFor,
  type StackDescription,
  type StackKind,
} from "../../stacks/index.js";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc.js";
import { defaultPulumiBackendUrl } from "../runtime/config.js";
import { distDir, repoRoot } from "../runtime/paths.js";
import { expectUnhandledRejections } from "../runtime/unhandled-rejections.js";
import {
  PulumiCliError,
  StackLeaseLostError,
  StackOwnerUnknownError,
  StaleStackLockError,
} from "../errors/index.js";
import { PulumiProgressTracker, type PulumiProgress } from "./pulumi-progress.js";
import type { MarkedProcess } from "./process-tree.js";
import { RunProcesses, type RunContext } from "./run-processes.js";
import type { StackLease, StackLeases } from "./stack-lease.js";

export type { PulumiProgress } from "./pulumi-progress.js";

export type PulumiOperation = "up" | "destroy" | "refresh";

export interface PulumiRunnerOptions {
  /** Folder holding the `pulumi` CLI built by tools/build.sh (tools/bin). */
  toolsBinDir: string;
  /** Slipway's state folder: PULUMI_HOME, the stacks' workspaces and, by default, the file backend live under it. */
  stateDir: string;
  /**
   * Any Pulumi backend URL (file://, s3://, gs://, azblob://). Default: defaultPulumiBackendUrl. Its credentials
   * come from this process's environment (AWS_*, GOOGLE_*, AZURE_STORAGE_*), which the CLI inherits.
   */
  backendUrl?: string;
  /** "passphrase" (default) or a KMS key URL such as awskms://<key>?region=...; new stacks are created with it. */
  secretsProvider?: string;
  /** The passphrase secrets provider's passphrase (required with it). Never logged, never in an error. */
  passphrase?: string;
  /** Pulumi project of every stack. Default "slipway". */
  projectName?: string;
  /** node_modules holding @pulumi/pulumi, for the dynamic-provider plugin. Default: this checkout's. */
  nodeModulesDir?: string;
  /** Compiled Slipway whose code dynamic providers run. Default: this checkout's dist/. */
  distDir?: string;
  /**
   * Per-stack leases (Redis) shared by every worker of the backend: a run holds its stack's lease throughout, and
   * a Pulumi lock found while holding it was left by a dead owner, so it is cleared. Without leases (a single
   * process: benchmarks, tests) a locked stack fails with ConcurrentUpdateError and its lock is left alone.
   */
  leases?: StackLeases;
  /** How long an interrupted CLI has to record what finished and release its lock before its processes end. */
  interruptGraceMs?: number;
}

export interface PulumiRunRequest {
  /** The kind whose program runs. Default ClusterDeployment. */
  kind?: StackKind;
  /** Platform name as in the spec (local, simulated, ...): with the kind, picks the program in stacks/. */
  platform: string;
  /** Stable and unique for the resource's lifetime, e.g. `<namespace>-<name>-<uid8>`. */
  stackName: string;
  operation: PulumiOperation;
  /** The platform program's inputs; validated before Pulumi starts. Never secret: they show in the state. */
  inputs: unknown;
  /**
   * The cloud credentials (the keys and values of the Secret the spec names). Set as one secret config value the
   * program reads (stacks/credentials.ts): encrypted in the stack's settings, never on a command line.
   */
  credentials?: Record<string, string>;
  onProgress?: (progress: PulumiProgress) => void;
  /**
   * Aborting sends the CLI an interrupt: it stops starting steps, records what finished and releases its lock;
   * after the runner's interruptGraceMs, what is left of the run's processes is ended.
   */
  signal?: AbortSignal;
  /** The job the run is for: names the owner of the stack's lease (`host/pid/jobId`). */
  jobId?: string;
  /** `up` only: refresh every resource from its provider first. */
  refresh?: boolean;
  /**
   * The job's attempt number (from 1), given to providers as SLIPWAY_JOB_ATTEMPT: a destroy does not run the
   * program, so a provider's delete only sees the inputs of the last up, not this attempt.
   */
  attempt?: number;
}

export interface PulumiRunResult {
  /** Stack outputs after the operation, secret ones in plain text: see secretOutputNames. Empty after destroy. */
  outputs: Record<string, unknown>;
  /** Outputs that are secret: never copy them to a status, an event, a log line or a job payload. */
  secretOutputNames: string[];
  /** Resource operations by kind, as the engine summarised them ({ create: 1, same: 3 }). */
  changes: Record<string, number>;
  durationMs: number;
  /** The runner cleared a dead owner's lock before this run. */
  clearedStaleLock: boolean;
  /** destroy only: the stack never existed, so nothing was run. */
  noStack?: boolean;
}

/** Environment that keeps the Pulumi CLI off the network: no update check, no plugin downloads, no registry. */
const OFFLINE_ENV = {
  PULUMI_SKIP_UPDATE_CHECK: "true",
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
  PULUMI_SKIP_CONFIRMATIONS: "true",
  // A workspace folder may be lost (another worker, a wiped disk): then the secrets provider's salt comes from the
  // stack's state rather than a fresh one that could not decrypt it.
  PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true",
};

/**
 * Runs the platform programs of stacks/ through Pulumi's Automation API with the CLI built in tools/bin, one
 * inline program per operation. Provision, hibernate, resume and resize are all `up` with other inputs.
 */
export class PulumiRunner {
  readonly backendUrl: string;
  private readonly secretsProvider: string;
  private readonly projectName: string;
  private readonly pulumiHome: string;
  private readonly workspacesDir: string;
  private readonly envVars: Record<string, string>;
  private command?: Promise<PulumiCommand>;
  /** Every process a run starts carries this worker's marker, so none outlives it. */
  private readonly processes: RunProcesses;

  constructor(private readonly opts: PulumiRunnerOptions) {
    // Inline programs run in this process: their calls to an engine that an interrupt shut down reject late.
    expectUnhandledRejections(isEngineShutdownRejection);
    this.processes = new RunProcesses({
      stateDir: opts.stateDir,
      interruptGraceMs: opts.interruptGraceMs,
      interrupts: isPulumiCli,
    });
    this.projectName = opts.projectName ?? "slipway";
    this.backendUrl = opts.backendUrl ?? defaultPulumiBackendUrl(opts.stateDir);
    this.secretsProvider = opts.secretsProvider ?? "passphrase";
    if (this.secretsProvider === "passphrase" && !opts.passphrase)
      throw new Error("the passphrase secrets provider needs a passphrase (SLIPWAY_PULUMI_PASSPHRASE)");
    this.pulumiHome = pulumiHomeFor(opts.stateDir);
    this.workspacesDir = join(opts.stateDir, "pulumi", "workspaces");
    const nodeModulesDir = opts.nodeModulesDir ?? join(repoRoot, "node_modules");
    const sdkDir = join(nodeModulesDir, "@pulumi", "pulumi");
    this.envVars = {
      ...OFFLINE_ENV,
      PULUMI_HOME: this.pulumiHome,
      PULUMI_BACKEND_URL: this.backendUrl,
      ...(opts.passphrase ? { PULUMI_CONFIG_PASSPHRASE: opts.passphrase } : {}),
      // The CLI finds the dynamic-provider plugin (pulumi-resource-pulumi-nodejs, shipped at the root of
      // @pulumi/pulumi) on PATH, and the plugin script resolves @pulumi/pulumi from its working directory, which is
      // the stack's workspace under stateDir: NODE_PATH points it at our node_modules.
      PATH: [sdkDir, dirname(process.execPath), process.env.PATH ?? ""].join(":"),
      NODE_PATH: nodeModulesDir,
      // Dynamic providers load their compiled code from this dist/, whatever path their state recorded.
      SLIPWAY_DIST_URL: pathToFileURL(opts.distDir ?? distDir).href,
      ...this.processes.env,
    };
  }

  /**
   * Runs one operation on a stack. With leases, only while holding the stack's lease: StackBusyError when a live
   * owner holds it, StackLeaseLostError when this run lost it midway (the CLI was interrupted).
   */
  async run(request: PulumiRunRequest): Promise<PulumiRunResult> {
    const lease = await this.acquireLease(request);
    let run: RunContext | undefined;
    try {
      // A stack that was never created has nothing to destroy, whatever its inputs say now.
      if (request.operation === "destroy" && !(await this.stackExists(request.stackName)))
        return {
          outputs: {},
          secretOutputNames: [],
          changes: {},
          durationMs: 0,
          clearedStaleLock: false,
          noStack: true,
        };
      const platform = stackProgramFor(request.kind ?? "ClusterDeployment", request.platform);
      const inputs = platform.validate(request.inputs);
      // A missing provider plugin fails the run before the CLI starts (transient: installing it is the fix).
      assertProviderPlugins(request.platform, this.pulumiHome);
      const signals = [request.signal, lease?.signal].filter((s): s is AbortSignal => s !== undefined);
      const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
      return await this.processes.run(signal, (context) => {
        run = context;
        // RunProcesses interrupts the run's CLIs itself (each once, also one started after the abort); the
        // Automation API's own interrupt misses a CLI started after the abort, so it only serves without procfs.
        const cliSignal = this.processes.interrupts ? undefined : context.signal;
        return this.runHolding({ ...request, signal: cliSignal }, platform, inputs, lease, context);
      });
    } catch (error) {
      if (lease?.lost) throw new StackLeaseLostError(request.stackName, `run interrupted: ${lease.lost}`);
      throw error;
    } finally {
      // A CLI ended past its grace period left the stack locked: the next owner may clear that lock at once.
      await lease?.release({ lockAbandoned: run?.forced ?? false });
    }
  }

  /**
   * The stack's lease, told whether the stack is locked now: a lock found with no lease is waited on (its owner
   * may be alive and have lost its lease in Redis) until the lease has stayed vacant for a whole ttl.
   */
  private async acquireLease(request: PulumiRunRequest): Promise<StackLease | undefined> {
    if (!this.opts.leases) return undefined;
    const listable = this.lockDir(request.stackName) !== undefined;
    // A lock of a process of this host that is gone needs no proof from the lease: its owner is dead.
    const locks = listable ? (await this.stackLocks(request.stackName)).filter((l) => !deadHere(l)) : [];
    const lock = !listable ? "unknown" : locks.length > 0 ? "seen" : "none";
    return this.opts.leases.acquire(request.stackName, request.jobId ?? "unnamed", lock);
  }

  /**
   * Interrupts every run (each CLI records what finished and releases its lock), ends what is left of their
   * processes after the grace period, and refuses new runs. For a worker that stops.
   */
  close(): Promise<void> {
    return this.processes.close();
  }

  /** close() was called: a run that fails now was interrupted because its worker stops, not for its own sake. */
  get closing(): boolean {
    return this.processes.closed;
  }

  private async runHolding(
    request: PulumiRunRequest,
    platform: ReturnType<typeof stackProgramFor>,
    inputs: unknown,
    lease: StackLease | undefined,
    run: RunContext,
  ): Promise<PulumiRunResult> {
    const started = Date.now();
    const description = platform.describe(inputs);
    const stack = await this.stack(request.stackName, platform.program(inputs), run.env, request.attempt);
    // An interrupt while the workspace is prepared stops the run before its next CLI call: nothing ran yet.
    run.signal.throwIfAborted();
    if (request.credentials)
      await this.setSecretConfig(
        request.stackName,
        CREDENTIALS_CONFIG_KEY,
        JSON.stringify(request.credentials),
      );
    run.signal.throwIfAborted();

    // Holding the lease, nobody else runs this stack: a lock on it was left by an owner whose lease expired.
    let clearedStaleLock = lease
      ? await this.clearStaleLock(stack, request.stackName, description, lease)
      : false;
    let outcome: { changes: Record<string, number>; outputs?: OutputMap };
    run.signal.throwIfAborted();
    try {
      outcome = await this.operate(stack, request, description);
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || !lease || clearedStaleLock) throw error;
      // A backend whose locks cannot be listed (S3, GCS, Azure Blob) shows a dead owner's lock only now.
      clearedStaleLock = await this.clearStaleLock(stack, request.stackName, description, lease, {
        force: true,
      });
      if (!clearedStaleLock) throw error;
      outcome = await this.operate(stack, request, description);
    }
    const { changes } = outcome;

    if (request.operation === "destroy") {
      // Nothing may be left behind: the stack's state, its config and its workspace folder go too.
      await stack.workspace.removeStack(request.stackName);
      await this.removeFileBackendLeftovers(request.stackName);
      await rm(this.workspaceDir(request.stackName), { recursive: true, force: true });
      return {
        outputs: {},
        secretOutputNames: [],
        changes,
        durationMs: Date.now() - started,
        clearedStaleLock,
      };
    }
    // `up` reports its outputs; refresh does not (one more CLI call).
    const outputs = outcome.outputs ?? (await stack.outputs());
    return { ...flatten(outputs), changes, durationMs: Date.now() - started, clearedStaleLock };
  }

  /** Whether the backend holds this stack (one CLI call). */
  async stackExists(stackName: string): Promise<boolean> {
    return (await this.listStacks()).includes(stackName);
  }

  /** Stack names in the backend for this runner's project. */
  async listStacks(): Promise<string[]> {
    await this.ensureFolders(this.workspacesDir);
    const workspace = await LocalWorkspace.create({
      workDir: this.workspacesDir,
      pulumiHome: this.pulumiHome,
      envVars: this.envVars,
      pulumiCommand: await this.pulumiCommand(),
      projectSettings: { name: this.projectName, runtime: "nodejs", backend: { url: this.backendUrl } },
    });
    return (await workspace.listStacks()).map((s) => s.name);
  }

  /**
   * Lock files of a stack on the file backend (empty for other backends, whose locks this process cannot list).
   * Each names the host and pid of the CLI that took it.
   */
  async stackLocks(stackName: string): Promise<{ path: string; hostname?: string; pid?: number }[]> {
    const dir = this.lockDir(stackName);
    if (!dir || !existsSync(dir)) return [];
    const files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
    return Promise.all(
      files.map(async (file) => {
        const path = join(dir, file);
        try {
          const content = JSON.parse(await readFile(path, "utf8")) as { hostname?: string; pid?: number };
          return { path, hostname: content.hostname, pid: content.pid };
        } catch {
          return { path };
        }
      }),
    );
  }

  private async operate(
    stack: Stack,
    request: PulumiRunRequest,
    description: StackDescription,
  ): Promise<{ changes: Record<string, number>; outputs?: OutputMap }> {
    const tracker = new PulumiProgressTracker(description.expectedResources, request.onProgress);
    const summary = summaryFromEngine(stack);
    const workspace = stack.workspace as LocalWorkspace;
    const show = ["stack", "output", "--json", "--show-secrets", "--stack", stack.name];
    const outputs = outputsFromEngine(
      stack,
      async () => JSON.parse(await this.cli(workspace, show)) as Record<string, unknown>,
    );
    const common = {
      onEvent: (event: EngineEvent) => {
        tracker.handle(event);
        summary.handle(event);
        outputs.handle(event);
      },
      signal: request.signal,
      color: "never" as const,
      suppressOutputs: true,
    };
    switch (request.operation) {
      case "up": {
        const result = await stack.up({ ...common, refresh: request.refresh });
        return { changes: summary.changes(result.summary), outputs: result.outputs };
      }
      case "refresh":
        // Running the program recomputes the stack outputs from the refreshed resources (powerState "Stopped"
        // after processes died); without it they keep the values of the last up.
        return { changes: summary.changes((await stack.refresh({ ...common, runProgram: true })).summary) };
      case "destroy":
        return { changes: summary.changes((await stack.destroy(common)).summary) };
    }
  }

  private async stack(
    stackName: string,
    program: () => Promise<Record<string, unknown> | void>,
    runEnv: Record<string, string>,
    attempt?: number,
  ): Promise<Stack> {
    const workDir = this.workspaceDir(stackName);
    await this.ensureFolders(workDir);
    const workspace = await LocalWorkspace.create({
      program,
      workDir,
      pulumiHome: this.pulumiHome,
      envVars: {
        ...this.envVars,
        ...runEnv,
        ...(attempt ? { SLIPWAY_JOB_ATTEMPT: String(attempt) } : {}),
      },
      pulumiCommand: await this.pulumiCommand(),
      secretsProvider: this.secretsProvider,
      projectSettings: { name: this.projectName, runtime: "nodejs", backend: { url: this.backendUrl } },
    });
    // The Automation API's createOrSelectStack makes two CLI calls for a new stack (a `stack select` that fails,
    // then `stack init`); `stack select --create` is one, for a new stack and an existing one alike. Stack.select
    // runs the workspace's selectStack.
    workspace.selectStack = (name: string) => this.selectOrCreate(workspace, name);
    return Stack.select(stackName, workspace);
  }

  /** `pulumi stack select --create`: the stack exists afterwards, made with this runner's secrets provider. */
  private async selectOrCreate(workspace: LocalWorkspace, stackName: string): Promise<void> {
    await this.cli(workspace, [
      ...["stack", "select", "--create", "--stack", stackName],
      ...["--secrets-provider", this.secretsProvider],
    ]);
  }

  /** One CLI command in the workspace, with its environment; its stdout (which may hold secrets: never logged). */
  private async cli(workspace: LocalWorkspace, args: string[]): Promise<string> {
    const command = await this.pulumiCommand();
    const child = spawn(command.command, [...args, "--non-interactive"], {
      cwd: workspace.workDir,
      env: { ...process.env, PULUMI_HOME: this.pulumiHome, ...workspace.envVars },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    if (code !== 0) throw new PulumiCliError(args.slice(0, 2).join(" "), code, stderr);
    return stdout;
  }

  /**
   * Clears the lock a dead owner left, only while holding the stack's lease and with proof that the lock's owner
   * is dead: its lease stayed vacant for a whole ttl, or it was a process of this host that is gone. Never the
   * lock of a live process on this host (someone ran Pulumi by hand). Without proof the lease is given up and the
   * run waits (StackOwnerUnknownError). Uses `pulumi cancel` (which deletes the DIY backend's lock files), falls
   * back to removing the file backend's lock files, then refreshes with pending creates cleared so the
   * interrupted step is redone.
   */
  private async clearStaleLock(
    stack: Stack,
    stackName: string,
    description: StackDescription,
    lease: StackLease,
    opts: { force?: boolean } = {},
  ): Promise<boolean> {
    const locks = await this.stackLocks(stackName);
    const listable = this.lockDir(stackName) !== undefined;
    // Without a listable backend we only act on the CLI's own word (ConcurrentUpdateError, `force`).
    if (!opts.force && (!listable || locks.length === 0)) return false;
    if (!(await lease.isHeld())) {
      throw new StackLeaseLostError(
        stackName,
        `not clearing the lock of stack ${stackName}: ${lease.lost ?? "its lease is not held"}`,
      );
    }
    const live = locks.find((l) => l.hostname === hostname() && l.pid !== undefined && processAlive(l.pid));
    if (live) {
      throw new StaleStackLockError(
        stackName,
        `stack ${stackName} is locked by a running update (pid ${live.pid} on this host); not clearing its lock`,
      );
    }
    // Unlisted locks (a backend that cannot list them) are never proven dead by a pid.
    const ownersDead = locks.length > 0 && locks.every(deadHere);
    if (!lease.provenVacant && !ownersDead) {
      // A live run elsewhere whose lease Redis lost may own this lock: give the lease back so that run can
      // re-assert it, and come back once the lease has stayed vacant for a whole ttl.
      await lease.yieldToLockOwner();
      throw new StackOwnerUnknownError(stackName, 0, this.opts.leases?.ttlMs ?? 0);
    }
    try {
      await stack.cancel();
    } catch (error) {
      if (!listable) throw error;
      await Promise.all(locks.map((l) => rm(l.path, { force: true })));
    }
    if (listable && (await this.stackLocks(stackName)).length > 0) {
      throw new StaleStackLockError(stackName, `could not clear the stale lock of stack ${stackName}`);
    }
    if (description.idempotentCreate) {
      // An interrupted create is recorded as pending; the platform's create is safe to repeat, so forget it and
      // let this run create (adopt) the resource again.
      await stack.refresh({ clearPendingCreates: true, suppressOutputs: true, color: "never" });
    }
    return true;
  }

  /**
   * `pulumi config set --secret` with the value on stdin: the Automation API's setConfig puts it on the command
   * line, where any process on the host can read it (/proc/<pid>/cmdline) and a failed command's error repeats it.
   */
  private async setSecretConfig(stackName: string, key: string, value: string): Promise<void> {
    const command = await this.pulumiCommand();
    const args = ["config", "set", "--secret", "--non-interactive", "--stack", stackName, key];
    const child = spawn(command.command, args, {
      cwd: this.workspaceDir(stackName),
      env: { ...process.env, ...this.envVars },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // A CLI that ends before reading the value closes the pipe: its exit code and stderr say why, and EPIPE
    // unhandled would end the worker.
    child.stdin.on("error", () => undefined);
    child.stdin.end(value);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    if (code !== 0) throw new PulumiCliError(`config set ${key}`, code, stderr);
  }

  /** `<backend>/.pulumi/locks/organization/<project>/<stack>` for the file backend; undefined for others. */
  private lockDir(stackName: string): string | undefined {
    if (!this.backendUrl.startsWith("file://")) return undefined;
    return join(
      fileURLToPath(this.backendUrl),
      ".pulumi",
      "locks",
      "organization",
      this.projectName,
      stackName,
    );
  }

  /**
   * removeStack keeps a `.bak` of the state, and the file backend keeps every update's history and backups: with
   * pools creating and destroying clusters all day, those pile up. Nothing of a destroyed stack is kept.
   */
  private async removeFileBackendLeftovers(stackName: string): Promise<void> {
    if (!this.backendUrl.startsWith("file://")) return;
    const root = join(fileURLToPath(this.backendUrl), ".pulumi");
    const project = this.projectName;
    await Promise.all([
      rm(join(root, "stacks", project, `${stackName}.json.bak`), { force: true }),
      rm(join(root, "stacks", project, `${stackName}.json.bak.attrs`), { force: true }),
      rm(join(root, "history", project, stackName), { recursive: true, force: true }),
      rm(join(root, "backups", project, stackName), { recursive: true, force: true }),
      rm(join(root, "locks", "organization", project, stackName), { recursive: true, force: true }),
    ]);
  }

  private async ensureFolders(workDir: string): Promise<void> {
    await Promise.all([
      mkdir(workDir, { recursive: true }),
      mkdir(this.pulumiHome, { recursive: true }),
      this.backendUrl.startsWith("file://")
        ? mkdir(fileURLToPath(this.backendUrl), { recursive: true })
        : undefined,
    ]);
  }

  private workspaceDir(stackName: string): string {
    return join(this.workspacesDir, stackName);
  }

  private pulumiCommand(): Promise<PulumiCommand> {
    this.command ??= (async () => {
      const root = dirname(this.opts.toolsBinDir);
      if (!existsSync(join(root, "bin", "pulumi"))) {
        throw new Error(
          `the Pulumi CLI is missing from ${this.opts.toolsBinDir}; run \`bash tools/build.sh\``,
        );
      }
      const command = await PulumiCommand.get({ root });
      const sdk = sdkVersion(this.opts.nodeModulesDir ?? join(repoRoot, "node_modules"));
      if (command.version?.version !== sdk) {
        throw new Error(
          `the Pulumi CLI in ${this.opts.toolsBinDir} is ${command.version?.version ?? "of unknown version"} but ` +
            `@pulumi/pulumi is ${sdk}; rebuild it with \`bash tools/build.sh\``,
        );
      }
      return command;
    })();
    this.command.catch(() => (this.command = undefined));
    return this.command;
  }
}

/**
 * An operation's resource changes from the engine's summary event. The Automation API reads them with one more CLI
 * call after every operation (`stack history`, Stack.info); the event carries the same counts, so while it has
 * been seen the stack answers Stack.info without that call (undefined: the runner reads nothing else of it).
 */
function summaryFromEngine(stack: Stack): {
  handle(event: EngineEvent): void;
  changes(summary: { resourceChanges?: OpMap } | undefined): Record<string, number>;
} {
  let fromEngine: OpMap | undefined;
  const info = stack.info.bind(stack);
  stack.info = (showSecrets?: boolean) => (fromEngine ? Promise.resolve(undefined) : info(showSecrets));
  return {
    handle: (event) => {
      if (event.summaryEvent) fromEngine = event.summaryEvent.resourceChanges;
    },
    changes: (summary) => ({ ...(fromEngine ?? summary?.resourceChanges ?? {}) }) as Record<string, number>,
  };
}

/**
 * Which stack outputs are secret, from the engine's event for the stack's own outputs, where a secret shows as
 * Pulumi's secret signature and never in clear. The Automation API finds out with one more CLI call after every
 * up (`stack output --json`, masked, beside `--show-secrets`); once the event has been seen, the stack's outputs
 * are read with the `--show-secrets` call alone. Without it, the Automation API's two calls.
 */
function outputsFromEngine(
  stack: Stack,
  plaintext: () => Promise<Record<string, unknown>>,
): { handle(event: EngineEvent): void } {
  let secret: Set<string> | undefined;
  const outputs = stack.outputs.bind(stack);
  stack.outputs = async () => {
    if (!secret) return outputs();
    const known = secret;
    const values = await plaintext();
    return Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, { value, secret: known.has(name) }]),
    );
  };
  return {
    handle: (event) => {
      const metadata = event.resOutputsEvent?.metadata;
      if (!metadata || event.resOutputsEvent?.planning || metadata.type !== ROOT_STACK_TYPE) return;
      const recorded = Object.entries(metadata.new?.outputs ?? {});
      secret = new Set(recorded.filter(([, value]) => isSecretValue(value)).map(([name]) => name));
    },
  };
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

function isSecretValue(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[specialSigKey] === specialSecretSig
  );
}

function flatten(outputs: OutputMap): { outputs: Record<string, unknown>; secretOutputNames: string[] } {
  const values: Record<string, unknown> = {};
  const secretOutputNames: string[] = [];
  for (const [name, output] of Object.entries(outputs)) {
    values[name] = output.value;
    if (output.secret) secretOutputNames.push(name);
  }
  return { outputs: values, secretOutputNames: secretOutputNames.sort() };
}

function sdkVersion(nodeModulesDir: string): string {
  const manifest = JSON.parse(
    readFileSync(join(nodeModulesDir, "@pulumi", "pulumi", "package.json"), "utf8"),
  ) as {
    version: string;
  };
  return manifest.version;
}

/**
 * The Pulumi SDK's rejection of a program's call to an engine that is shutting down (gRPC UNAVAILABLE or
 * CANCELLED): it re-raises it as an unhandled rejection for the handler the Automation API installs while a
 * program runs, and one that arrives after the run is over must not end the worker.
 */
export function isEngineShutdownRejection(reason: unknown): boolean {
  const { code, message } = (reason ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === GRPC_UNAVAILABLE || code === GRPC_CANCELLED) &&
    typeof message === "string" &&
    message.includes("Resource monitor is terminating")
  );
}

const GRPC_CANCELLED = 1;
const GRPC_UNAVAILABLE = 14;

/**
 * A Pulumi CLI (not a plugin): every command of an interrupted run gets Pulumi's cancel. An operation records what
 * finished and releases its lock; any other command (selecting the stack, reading outputs) just ends, and the
 * handed-back run does it again. Under load those commands alone can outlast the grace period.
 */
function isPulumiCli(process: MarkedProcess): boolean {
  return basename(process.command.split(" ")[0] ?? "") === "pulumi";
}

/** A lock taken by a process of this host that no longer runs. */
function deadHere(lock: { hostname?: string; pid?: number }): boolean {
  return lock.hostname === hostname() && lock.pid !== undefined && !processAlive(lock.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // A killed process whose parent died too may linger as a zombie until init reaps it: it holds nothing.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return !existsSync("/proc/self"); // gone in between; without procfs, trust kill(0)
  }
}
