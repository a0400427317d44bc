/**
 * What a HostedCluster's spec means to its platform's HostedCluster program (stacks/<platform>, programs.HostedCluster):
 * the same inputs for every platform (stacks/hosted-cluster-inputs.ts), plus what the host adds.
 */
import { derivedName, MAX_LABEL_VALUE, platformOf, type HostedCluster } from "../../api/index.js";
import { HostedClusterReason as Reason } from "../../api/reasons.js";
import { TerminalError, TerminalStackError } from "../../errors/index.js";
import { stackInputsHash, stackNameFor } from "../../queue/stack-job.js";
import type { SlipwayConfig } from "../../runtime/config.js";
import { platformDefinition, platforms, type StackProgram } from "../../../stacks/index.js";

/** The platform's name for messages: "unknown" when the spec names none. */
export function hostedPlatformName(hc: HostedCluster): string {
  return platformOf(hc.spec) ?? "unknown";
}

/** The platforms that run HostedClusters in this build, for messages. */
function runnable(): string {
  return platforms
    .filter((p) => p.implemented && p.programs.HostedCluster)
    .map((p) => p.name)
    .join(", ");
}

/**
 * The program of the spec's platform; Stalled UnsupportedPlatform (with the platforms that do run one) when this
 * build has none: a HostedCluster on aws waits for its program rather than being silently ignored.
 */
export function hostedProgramFor(hc: HostedCluster): StackProgram {
  const name = hostedPlatformName(hc);
  const definition = platformDefinition(name);
  const program = definition?.implemented ? definition.programs.HostedCluster : undefined;
  if (!program) {
    throw new TerminalError(
      definition ? Reason.UnsupportedPlatform : Reason.UnknownPlatform,
      `this build of Slipway has no HostedCluster program for platform "${name}" yet; HostedClusters run on ` +
        `${runnable()}: create it again on one of those (spec.platform is immutable)`,
    );
  }
  return program;
}

/** The cluster's name on its platform: metadata.name as a DNS label (dots become dashes, long names are cut). */
export function hostedClusterName(hc: HostedCluster): string {
  return derivedName(hc.metadata!.name!.replace(/\./g, "-"), "", MAX_LABEL_VALUE);
}

export function hostedStackName(hc: HostedCluster): string {
  return stackNameFor({
    namespace: hc.metadata!.namespace!,
    name: hc.metadata!.name!,
    uid: hc.metadata!.uid!,
  });
}

/** The stack and program inputs the spec asks for now; the worker and the controller compute the same. */
export function desiredHostedStack(
  hc: HostedCluster,
  program: StackProgram,
  config: Pick<SlipwayConfig, "stateDir" | "toolsBinDir">,
): { stackName: string; inputs: Record<string, unknown>; inputsHash: string } {
  const stackName = hostedStackName(hc);
  const platform = hostedPlatformName(hc);
  const spec = hc.spec;
  const inputs = {
    clusterName: hostedClusterName(hc),
    powerState: spec.powerState ?? "Running",
    platform: (spec.platform as Record<string, unknown>)[platform] ?? {},
    version: spec.release.version,
    serviceNetwork: spec.networking?.serviceNetwork,
    clusterNetwork: spec.networking?.clusterNetwork,
    controllerAvailabilityPolicy: spec.controllerAvailabilityPolicy ?? "SingleReplica",
    ...program.hostInputs?.({
      stackName,
      uid: hc.metadata!.uid!,
      stateDir: config.stateDir,
      toolsBinDir: config.toolsBinDir,
    }),
  };
  const defined = Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined));
  return { stackName, inputs: defined, inputsHash: stackInputsHash(defined) };
}

/** The program's own check of the inputs (binaries, version, policy); Stalled with its reason when it refuses. */
export function validateHostedStack(hc: HostedCluster, program: StackProgram, config: SlipwayConfig): void {
  try {
    program.validate(desiredHostedStack(hc, program, config).inputs);
  } catch (error) {
    if (error instanceof TerminalStackError) throw new TerminalError(error.reason, error.message);
    throw error;
  }
}
