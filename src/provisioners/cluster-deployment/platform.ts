/**
 * The ClusterDeployment side of the platform registry (stacks/index.ts): what a ClusterDeployment's spec means to
 * its platform's program. Hive style: one adapter per platform, found by the platform key the spec sets.
 */
import { platformOf, type ClusterDeployment } from "../../api/index.js";
import type { KubeObject } from "../../api/object.js";
import { secretResource } from "../../api/resources.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { stackInputsHash, stackNameFor } from "../../queue/stack-job.js";
import { InvalidSpecError, TerminalStackError } from "../../errors/index.js";
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

/**
 * The platform's credentials from the Secret the spec names, read by the worker when the job runs (so they are
 * never in its payload) for the runner to hand to the program as Pulumi secret config. Errors name keys, never
 * values, and are retried: the controller checked the Secret before queuing, so it changed since.
 */
export async function readCredentials(
  kube: KubeClient,
  adapter: PlatformAdapter,
  cd: ClusterDeployment,
): Promise<Record<string, string> | undefined> {
  const name = adapter.credentialsSecretName(cd);
  if (!name) return undefined;
  const namespace = cd.metadata!.namespace!;
  type Secret = KubeObject & { data?: Record<string, string> };
  const secret = await kube.getIfExists<Secret>(secretResource, namespace, name);
  if (!secret) throw new Error(`CredentialsSecretMissing: Secret ${namespace}/${name} does not exist`);
  const missing = adapter.missingCredentialKeys(secret);
  if (missing.length > 0)
    throw new Error(`CredentialsKeysMissing: Secret ${namespace}/${name} lacks ${missing.join(", ")}`);
  const wanted = adapter.definition.credentials?.keys ?? [];
  const keys = wanted.length > 0 ? wanted : Object.keys(secret.data ?? {});
  const credentials = Object.fromEntries(
    keys.map((key) => [key, Buffer.from(secret.data![key]!, "base64").toString("utf8")]),
  );
  // Further Secrets the spec names (vsphere's certificatesRef): their keys travel with the credentials.
  for (const also of adapter.definition.credentials?.alsoFrom ?? []) {
    const ref = (platformSpecOf(adapter, cd)[also.field] as { name?: string } | undefined)?.name;
    if (!ref) continue;
    const other = await kube.getIfExists<Secret>(secretResource, namespace, ref);
    if (!other) throw new Error(`CredentialsSecretMissing: Secret ${namespace}/${ref} does not exist`);
    const lacking = also.keys.filter((key) => other.data?.[key] === undefined);
    if (lacking.length > 0)
      throw new Error(`CredentialsKeysMissing: Secret ${namespace}/${ref} lacks ${lacking.join(", ")}`);
    for (const key of also.keys) credentials[key] = Buffer.from(other.data![key]!, "base64").toString("utf8");
  }
  return credentials;
}

function platformSpecOf(adapter: PlatformAdapter, cd: ClusterDeployment): Record<string, unknown> {
  return (cd.spec.platform as Record<string, Record<string, unknown> | undefined>)[adapter.name] ?? {};
}

function adapterFor(definition: PlatformDefinition, program: StackProgram): PlatformAdapter {
  const platformSpec = (cd: ClusterDeployment) =>
    (cd.spec.platform as Record<string, Record<string, unknown> | undefined>)[definition.name] ?? {};
  const adapter: PlatformAdapter = {
    name: definition.name,
    definition,
    credentialsSecretName(cd) {
      if (!definition.credentials) return undefined;
      return (platformSpec(cd).credentialsRef as { name?: string } | undefined)?.name;
    },
    missingCredentialKeys(secret) {
      const data = (secret as { data?: Record<string, string> }).data ?? {};
      return (definition.credentials?.keys ?? []).filter((key) => data[key] === undefined);
    },
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
