import { parseArgs } from "node:util";
import { ConfigError } from "../errors/index.js";
import { loadConfig } from "../runtime/config.js";
import { devCommand } from "./dev.js";

/** A subcommand: gets its positional arguments and flags, returns the exit code. */
export type Command = (args: string[], flags: Record<string, string | boolean | undefined>) => Promise<number>;

const USAGE = `slipway — declarative cluster lifecycle on a hub

Usage:
  slipway dev up [--detach] [--sample]
                                   start the embedded hub (etcd, kube-apiserver, kube-controller-manager), Redis,
                                   controller and worker; foreground until Ctrl-C unless --detach;
                                   --sample applies a local ClusterDeployment and waits until it is Ready
  slipway dev down                 stop everything dev up started (data is kept)
  slipway dev status               show what runs where
  slipway controller               run the controller (leader-elected)
  slipway worker                   run BullMQ workers that execute Pulumi operations
  slipway get clusters|pools|claims [-n NAMESPACE | -A]
  slipway kubeconfig NAME [-n NAMESPACE]
  slipway hibernate|resume NAME [-n NAMESPACE]
  slipway claim POOL [--name NAME] [--wait] [--kubeconfig-out FILE] [-n NAMESPACE]
  slipway bench clusters [--count N] [--scenario local|simulated|all]
  slipway bench claims [--claims N] [--local-claims N] [--scenario simulated|local|refill|all]
                                   claim latency from a warm pool (p50/p99) and pool refill throughput

Environment: SLIPWAY_STATE_DIR (default .slipway), SLIPWAY_KUBECONFIG, REDIS_URL, SLIPWAY_LOG_LEVEL, ...`;

async function loadCommands(): Promise<Record<string, Command>> {
  const commands: Record<string, Command> = { dev: devCommand };
  // Commands that need the controller stack are loaded lazily so `dev` works before anything else is built.
  const optional: [string, string, string][] = [
    ["controller", "./controller.js", "controllerCommand"],
    ["worker", "./worker.js", "workerCommand"],
    ["get", "./get.js", "getCommand"],
    ["kubeconfig", "./kubeconfig.js", "kubeconfigCommand"],
    ["hibernate", "./power.js", "hibernateCommand"],
    ["resume", "./power.js", "resumeCommand"],
    ["claim", "./claim.js", "claimCommand"],
    ["bench", "./bench.js", "benchCommand"],
  ];
  for (const [name, module, exported] of optional) {
    commands[name] = async (args, flags) => {
      const mod = (await import(module)) as Record<string, Command>;
      const command = mod[exported];
      if (!command) throw new Error(`${module} does not export ${exported}`);
      return command(args, flags);
    };
  }
  return commands;
}

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      detach: { type: "boolean" },
      sample: { type: "boolean" },
      namespace: { type: "string", short: "n" },
      "all-namespaces": { type: "boolean", short: "A" },
      name: { type: "string" },
      wait: { type: "boolean" },
      "kubeconfig-out": { type: "string" },
      timeout: { type: "string" },
      count: { type: "string" },
      claims: { type: "string" },
      "local-claims": { type: "string" },
      scenario: { type: "string" },
      "state-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [name, ...rest] = positionals;
  // The state folder flag is folded into the environment that loadConfig parses, so every command sees it.
  if (typeof values["state-dir"] === "string") process.env.SLIPWAY_STATE_DIR = values["state-dir"];
  if (!name || values.help) {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const commands = await loadCommands();
  const command = commands[name];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return command(rest, values as Record<string, string | boolean | undefined>);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`slipway: ${err instanceof ConfigError ? "configuration: " : ""}${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);

export { loadConfig };
