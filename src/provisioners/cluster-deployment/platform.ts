/**
 * The ClusterDeployment side of the platform registry (stacks/index.ts): what a ClusterDeployment's spec means to
 * its platform's program. Hive style: one adapter per platform, found by the platform key the spec sets.
 */
import { platformOf, type ClusterDeployment } from "../../api/index.js";
import { stackInputsHash, stackNameFor } from "../../queue/stack-job.js";
import { InvalidSpecError, TerminalStackError } from "../../errors/index.js";
import { credentialsSecretName, missingCredentialKeys } from "../stack-resource/index.js";
import {
  platformDefinition,
  type PlatformDefinition,
  type StackContext,
  type StackProgram,
} from "../../../stacks/index.js";

export type PlatformContext = Omit<StackContext, "stackName" | "uid">;

export { InvalidSpecError };

export interface PlatformAdapter {
  readonly name: string;
  readonly definition: PlatformDefinition;
  /** The Secret (in the resource's namespace) holding credentials for this platform, if the spec names one. */
  credentialsSecretName(cd: ClusterDeployment): string | undefined;
  /** The keys the platform needs that the credentials Secret lacks (names only: they are not secret). */
  missingCredentialKeys(secret: object): string[];
  /** Checks what admission cannot see with the program's own validation; throws InvalidSpecError. */
  validate(cd: ClusterDeployment, ctx: PlatformContext): void;
  /** The program's inputs for the desired state. Never secrets: credentials travel as Pulumi secret config. */
  stackInputs(cd: ClusterDeployment, ctx: StackContext): Record<string, unknown>;
  /** The spec's spec.platform.<platform> block. */
  platformSpec(cd: ClusterDeployment): Record<string, unknown>;
}

const adapters = new Map<string, PlatformAdapter>();

/** The adapter of the platform the spec names; undefined when this build cannot run it (UnsupportedPlatform). */
export function platformFor(cd: ClusterDeployment): PlatformAdapter | undefined {
  const definition = platformDefinition(platformName(cd));
  const program = definition?.programs.ClusterDeployment;
  if (!definition?.implemented || !program) return undefined;
  let adapter = adapters.get(definition.name);
  if (!adapter) adapters.set(definition.name, (adapter = adapterFor(definition, program)));
  return adapter;
}

/** The platform's name for messages: "unknown" when the spec names none. */
export function platformName(cd: ClusterDeployment): string {
  return platformOf(cd.spec) ?? "unknown";
}

/** The stack a resource runs and the program inputs its spec asks for now; the worker and the controller agree. */
export function desiredStack(
  adapter: PlatformAdapter,
  cd: ClusterDeployment,
  ctx: PlatformContext,
): { stackName: string; inputs: Record<string, unknown>; inputsHash: string } {
  const stackName = stackNameFor({
    namespace: cd.metadata!.namespace!,
    name: cd.metadata!.name!,
    uid: cd.metadata!.uid!,
  });
  const inputs = adapter.stackInputs(cd, { ...ctx, stackName, uid: cd.metadata!.uid! });
  return { stackName, inputs, inputsHash: stackInputsHash(inputs) };
}

function adapterFor(definition: PlatformDefinition, program: StackProgram): PlatformAdapter {
  const platformSpec = (cd: ClusterDeployment) =>
    (cd.spec.platform as Record<string, Record<string, unknown> | undefined>)[definition.name] ?? {};
  const adapter: PlatformAdapter = {
    name: definition.name,
    definition,
    platformSpec,
    credentialsSecretName: (cd) => credentialsSecretName(definition, platformSpec(cd)),
    missingCredentialKeys: (secret) => missingCredentialKeys(definition, secret),
    validate(cd, ctx) {
      try {
        program.validate(desiredStack(adapter, cd, ctx).inputs);
      } catch (err) {
        if (err instanceof TerminalStackError) throw new InvalidSpecError(err.reason, err.message);
        throw err;
      }
    },
    stackInputs(cd, ctx) {
      return {
        clusterName: cd.spec.clusterName,
        powerState: cd.spec.powerState ?? "Running",
        platform: platformSpec(cd),
        ...program.hostInputs?.(ctx),
      };
    },
  };
  return adapter;
}
