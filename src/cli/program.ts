import {
  Argument,
  Command,
  CommanderError,
  InvalidArgumentError,
  Option,
  type OutputConfiguration,
} from "commander";
import { parseDuration } from "../api/duration.js";
// Types only: a command's module is loaded when it runs.
import type { FailoverOptions } from "./failover.js";

/** Exit code for a command line Slipway cannot run: unknown command or flag, missing or invalid argument. */
export const USAGE_ERROR = 2;

/** The names `slipway get` lists, kubectl style. */
const listKinds = [
  "clusters",
  "cd",
  "clusterdeployments",
  "hosted",
  "hc",
  "hostedclusters",
  "nodepools",
  "np",
  "pools",
  "cp",
  "clusterpools",
  "claims",
  "clusterclaims",
  "policies",
  "bp",
  "bootstrappolicies",
  "failovers",
  "cfo",
  "clusterfailovers",
];

/** Runs one command's action and keeps its exit code. Actions load their module lazily, so `slipway dev` starts fast. */
type Run = (action: () => Promise<number>) => Promise<void>;

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError("expected a non-negative integer.");
  return n;
}

function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError(`${(err as Error).message}.`);
  }
}

const namespaceOption = () =>
  new Option("-n, --namespace <namespace>", "namespace of the resource").default("default");

function addDevCommands(program: Command, run: Run): void {
  const dev = program.command("dev").description("the embedded hub on this machine");
  dev
    .command("up")
    .description(
      "start the embedded hub (etcd, kube-apiserver, kube-controller-manager), Redis, controller and worker; " +
        "in the foreground until Ctrl-C unless --detach",
    )
    .option("--detach", "leave everything running in the background")
    .option("--sample", "apply a local ClusterPool and a claim on it, and wait until the claim is Ready")
    .action((options: { detach?: boolean; sample?: boolean }) =>
      run(async () => (await import("./dev.js")).devUp(options)),
    );
  dev
    .command("down")
    .description("stop everything dev up started, and the local clusters it finds running (data is kept)")
    .action(() => run(async () => (await import("./dev.js")).devDown()));
  dev
    .command("status")
    .description("show what runs where and its memory; exit code 3 when the hub is stopped")
    .action(() => run(async () => (await import("./dev.js")).devStatus()));
}

/** `--termination-log <file>`: where a controller or worker writes why it ended (`slipway dev up` passes one). */
const terminationLogOption = () =>
  new Option(
    "--termination-log <file>",
    "write why the process ended to this file, prepared at start so that it works on a full disk",
  );

/** Prepares the process's termination log, if asked, before the command loads. */
async function withTerminationLog(options: { terminationLog?: string }): Promise<void> {
  if (options.terminationLog)
    (await import("../runtime/termination-log.js")).recordTermination(options.terminationLog);
}

function addComponentCommands(program: Command, run: Run): void {
  program
    .command("controller")
    .description("run the controller (leader-elected)")
    .addOption(terminationLogOption())
    .action((options: { terminationLog?: string }) =>
      run(async () => {
        await withTerminationLog(options);
        return (await import("./controller.js")).controllerCommand();
      }),
    );
  program
    .command("worker")
    .description("run BullMQ workers that execute Pulumi operations")
    .addOption(terminationLogOption())
    .action((options: { terminationLog?: string }) =>
      run(async () => {
        await withTerminationLog(options);
        return (await import("./worker.js")).workerCommand();
      }),
    );
}

function addResourceCommands(program: Command, run: Run): void {
  program
    .command("get")
    .description(
      "list ClusterDeployments, HostedClusters, ClusterPools, ClusterClaims or BootstrapPolicies (with per-cluster compliance)",
    )
    .addArgument(new Argument("<kind>", "what to list").choices(listKinds))
    .addOption(namespaceOption())
    .option("-A, --all-namespaces", "list across all namespaces")
    .action((kind: string, options: { namespace: string; allNamespaces?: boolean }) =>
      run(async () => (await import("./get.js")).getCommand(kind, options)),
    );
  program
    .command("kubeconfig")
    .description("print the admin kubeconfig of a ClusterDeployment or a HostedCluster")
    .argument("<name>", "the ClusterDeployment or HostedCluster")
    .addOption(namespaceOption())
    .action((name: string, options: { namespace: string }) =>
      run(async () => (await import("./kubeconfig.js")).kubeconfigCommand(name, options)),
    );
  for (const [command, powerState] of [
    ["hibernate", "Hibernating"],
    ["resume", "Running"],
  ] as const) {
    program
      .command(command)
      .description(`set a ClusterDeployment's or a HostedCluster's spec.powerState to ${powerState}`)
      .argument("<name>", "the ClusterDeployment or HostedCluster")
      .addOption(namespaceOption())
      .action((name: string, options: { namespace: string }) =>
        run(async () => (await import("./power.js")).powerCommand(powerState, name, options)),
      );
  }
  program
    .command("claim")
    .description("claim a cluster from a pool")
    .argument("<pool>", "the ClusterPool")
    .option("--name <name>", "name of the claim (default: the pool's name and a random suffix)")
    .option("--wait", "wait until the claim is Ready")
    .option("--kubeconfig-out <file>", "write the claimed cluster's kubeconfig to this file (implies --wait)")
    .addOption(
      new Option("--timeout <duration>", "how long to wait, as a Go duration")
        .argParser(duration)
        .default(parseDuration("30m"), "30m"),
    )
    .addOption(namespaceOption())
    .action(
      (
        pool: string,
        options: {
          namespace: string;
          name?: string;
          wait?: boolean;
          kubeconfigOut?: string;
          timeout: number;
        },
      ) => run(async () => (await import("./claim.js")).claimCommand(pool, options)),
    );
}

function positiveInteger(value: string): number {
  const n = nonNegativeInteger(value);
  if (n < 1) throw new InvalidArgumentError("expected an integer of at least 1.");
  return n;
}

function addFailoverCommand(program: Command, run: Run): void {
  program
    .command("failover")
    .description("resume a hibernated standby set (a pool, or -l selector) and show progress and the RTO")
    .argument("[pool]", "the standby ClusterPool")
    .option(
      "-l, --selector <selector>",
      "standby ClusterDeployments by label instead of a pool (a=b,c in (d))",
    )
    .option("--max-concurrent <n>", "clusters resuming at once (default 10)", positiveInteger)
    .option(
      "--primary-pool <pool>",
      "hibernate this pool's clusters once the standby set is Ready (failback)",
    )
    .option("--name <name>", "name of the ClusterFailover (default: the pool's name and a random suffix)")
    .option("--wait", "show a progress bar and the running RTO until the failover ends")
    .addOption(
      new Option("--timeout <duration>", "how long --wait waits, as a Go duration")
        .argParser(duration)
        .default(parseDuration("2h"), "2h"),
    )
    .addOption(namespaceOption())
    .action((pool: string | undefined, options: FailoverOptions) => {
      if ((pool === undefined) === (options.selector === undefined))
        program.error("error: name the standby set with exactly one of <pool> and -l <selector>", {
          exitCode: USAGE_ERROR,
        });
      return run(async () => (await import("./failover.js")).failoverCommand(pool, options));
    });
}

function addBenchCommands(program: Command, run: Run): void {
  const bench = program
    .command("bench")
    .description("start a private hub in a temporary folder, measure, print figures and remove everything");
  bench
    .command("clusters", { isDefault: true })
    .description("local apply/hibernate/resume times and simulated throughput")
    .option("--count <n>", "simulated clusters applied at once", nonNegativeInteger, 50)
    .addOption(new Option("--scenario <scenario>").choices(["local", "simulated", "all"]).default("all"))
    .action((options: { count: number; scenario: "local" | "simulated" | "all" }) =>
      run(async () => (await import("../bench/bench.js")).benchClusters(options)),
    );
  bench
    .command("hosted")
    .description(
      "HostedClusters on local: apply -> Available, hibernate, resume; N hosted control planes on the shared etcd " +
        "against N local ClusterDeployments (time, memory per control plane)",
    )
    .option("--count <n>", "control planes (and ClusterDeployments) applied at once", nonNegativeInteger, 20)
    .addOption(new Option("--scenario <scenario>").choices(["one", "fleet", "compare", "all"]).default("all"))
    .action((options: { count: number; scenario: "one" | "fleet" | "compare" | "all" }) =>
      run(async () => (await import("../bench/bench-hosted.js")).benchHosted(options)),
    );
  bench
    .command("vsphere")
    .description(
      "a 1 + N VM vsphere cluster against vcsim: provider time and SOAP calls, apply -> Ready, hibernate, resume",
    )
    .option("--workers <n>", "worker VMs", nonNegativeInteger, 2)
    .addOption(new Option("--scenario <scenario>").choices(["operations", "slipway", "all"]).default("all"))
    .action((options: { workers: number; scenario: "operations" | "slipway" | "all" }) =>
      run(async () => (await import("../bench/bench-vsphere.js")).benchVSphere(options)),
    );
  bench
    .command("registration")
    .description("Provisioned -> Joined of local clusters (OCM's real agent) and simulated ones")
    .option("--local <n>", "local clusters applied at once", nonNegativeInteger, 2)
    .option("--simulated <n>", "simulated clusters applied at once", nonNegativeInteger, 100)
    .action((options: { local: number; simulated: number }) =>
      run(async () => (await import("../bench/bench-registration.js")).benchRegistration(options)),
    );
  bench
    .command("claims")
    .description("claim latency from a warm pool (p50/p99) and pool refill throughput")
    .option("--claims <n>", "claims on the simulated pool", nonNegativeInteger, 50)
    .option("--local-claims <n>", "claims on the local pool", nonNegativeInteger, 5)
    .addOption(
      new Option("--scenario <scenario>").choices(["simulated", "local", "refill", "all"]).default("all"),
    )
    .action(
      (options: {
        claims: number;
        localClaims: number;
        scenario: "simulated" | "local" | "refill" | "all";
      }) => run(async () => (await import("../bench/bench-claims.js")).benchClaims(options)),
    );
  bench
    .command("policies")
    .description(
      "BootstrapPolicy: policy change -> N simulated clusters re-evaluated; object applies/s across local clusters",
    )
    .option(
      "--counts <list>",
      "simulated fleet sizes, comma separated",
      (value: string) => value.split(",").map(nonNegativeInteger),
      [100],
    )
    .option(
      "--evaluation-ms <ms>",
      "simulated evaluation latency (bootstrapSeconds)",
      nonNegativeInteger,
      200,
    )
    .option("--local-clusters <n>", "local clusters for object applies/s", nonNegativeInteger, 2)
    .option("--objects <n>", "ConfigMaps in the local policy", nonNegativeInteger, 50)
    .option("--per-second <n>", "fleet: evaluations queued per policy per second", nonNegativeInteger, 50)
    .option("--concurrency <n>", "fleet: evaluations run at once", nonNegativeInteger, 32)
    .addOption(
      new Option("--scenario <scenario>")
        .choices(["simulated", "local", "fleet", "rollout", "all"])
        .default("all"),
    )
    .action(
      (options: {
        counts: number[];
        evaluationMs: number;
        localClusters: number;
        objects: number;
        perSecond: number;
        concurrency: number;
        scenario: "simulated" | "local" | "fleet" | "rollout" | "all";
      }) =>
        run(async () =>
          options.scenario === "fleet" || options.scenario === "rollout"
            ? (await import("../bench/bench-fleet.js")).benchFleet({ ...options, scenario: options.scenario })
            : (await import("../bench/bench-policies.js")).benchPolicies({
                ...options,
                scenario: options.scenario,
              }),
        ),
    );
  bench
    .command("workers")
    .description(
      "simulated provisioning throughput with 1, 2, 3 ... workers, each on its own host name and state folder, one Redis and one Pulumi backend",
    )
    .option("--count <n>", "simulated clusters applied at once per worker count", positiveInteger, 60)
    .option(
      "--workers <n,...>",
      "worker counts, one round each",
      (v) => v.split(",").map(positiveInteger),
      [1, 2, 3],
    )
    .option("--concurrency <n>", "Pulumi runs at once per worker", positiveInteger, 4)
    .option("--provision-seconds <n>", "simulated provisioning time", nonNegativeInteger, 2)
    .option(
      "--sizing <n>",
      "then size the controller and Redis by n clusters (0: skip)",
      nonNegativeInteger,
      1000,
    )
    .action(
      (options: {
        count: number;
        workers: number[];
        concurrency: number;
        provisionSeconds: number;
        sizing: number;
      }) => run(async () => (await import("../bench/bench-workers.js")).benchWorkers(options)),
    );
  bench
    .command("shutdown")
    .description(
      "a rolling update's cost: a worker SIGTERMed mid-create hands its runs to the next (exit, waiting, taken), and the leading controller's hand-over on SIGTERM against SIGKILL",
    )
    .option("--clusters <n>", "simulated clusters mid-create on the worker", positiveInteger, 6)
    .option("--rounds <n>", "worker SIGTERMs", positiveInteger, 3)
    .option("--provision-seconds <n>", "simulated provisioning time", positiveInteger, 20)
    .option("--lease-seconds <n>", "the controller's Lease duration", positiveInteger, 15)
    .action((options: { clusters: number; rounds: number; provisionSeconds: number; leaseSeconds: number }) =>
      run(async () => (await import("../bench/bench-shutdown.js")).benchShutdown(options)),
    );
  bench
    .command("failover")
    .description("DR failover of hibernated simulated clusters: achieved RTO against ceil(count/max) x delay")
    .option(
      "--counts <n,...>",
      "standby set sizes, one failover each",
      (v) => v.split(",").map(positiveInteger),
      [100, 1000],
    )
    .option("--max-concurrent <n>", "the failover's maxConcurrent", positiveInteger, 20)
    .addOption(
      new Option("--resume-delay <duration>", "fixed simulated resume time, as a Go duration")
        .argParser(duration)
        .default(parseDuration("10s"), "10s"),
    )
    .action((options: { counts: number[]; maxConcurrent: number; resumeDelay: number }) =>
      run(async () =>
        (await import("../bench/bench-failover.js")).benchFailover({
          counts: options.counts,
          maxConcurrent: options.maxConcurrent,
          resumeDelayMs: options.resumeDelay,
        }),
      ),
    );
}

/** The `slipway` command line. `output` replaces where help and errors go (tests capture them). */
export function slipwayProgram(run: Run, output?: OutputConfiguration): Command {
  const program = new Command("slipway")
    .description("declarative cluster lifecycle on a hub")
    .option("--state-dir <dir>", "state folder (default .slipway, or SLIPWAY_STATE_DIR)")
    .addHelpText(
      "after",
      "\nEnvironment: SLIPWAY_STATE_DIR (default .slipway), SLIPWAY_KUBECONFIG, REDIS_URL, SLIPWAY_LOG_LEVEL, ...",
    )
    // Subcommands inherit these three; they must be set before the subcommands are added.
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput(output ?? {});
  // The state folder flag is folded into the environment that loadConfig parses, so every command sees it.
  program.hook("preAction", () => {
    const stateDir = program.opts<{ stateDir?: string }>().stateDir;
    if (stateDir) process.env.SLIPWAY_STATE_DIR = stateDir;
  });
  addDevCommands(program, run);
  addComponentCommands(program, run);
  addResourceCommands(program, run);
  addFailoverCommand(program, run);
  addBenchCommands(program, run);
  return program;
}

/**
 * Parses `argv` (without node and the script) and runs the command. Returns its exit code: 0 after --help,
 * USAGE_ERROR for a command line that cannot run. Errors a command throws propagate.
 */
export async function runCli(argv: string[], output?: OutputConfiguration): Promise<number> {
  let exitCode = 0;
  const program = slipwayProgram(async (action) => {
    exitCode = await action();
  }, output);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_ERROR;
    throw err;
  }
  return exitCode;
}
