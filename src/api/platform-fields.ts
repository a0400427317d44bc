/**
 * Building blocks of the platform schema fragments (stacks/<platform>/schema.ts): the fields several platforms
 * share, written once so their descriptions and rules agree.
 */
import { immutable, kubernetesVersion, labels, localObjectReference, names } from "./common.js";
import { s, type AnySchema, type InferInput, type NamedPattern } from "./schema.js";

/** Options that differ between a ClusterDeployment (immutable infrastructure) and a pool template. */
export interface PlatformOptions {
  /** Adds the transition rules: platform kind, region and version upgrade policy. */
  immutable: boolean;
}

const regionImmutable = immutable("region", "create a new cluster in the other region instead");

export function optionalRegion(description: string, opts: PlatformOptions) {
  return s.string({
    description,
    pattern: {
      regex: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
      words: "a region name of lower-case letters, digits and '-' (for example eu-dr-a)",
    },
    maxLength: 63,
    rules: opts.immutable ? [regionImmutable] : [],
  });
}

export function region(description: string, pattern: NamedPattern, opts: PlatformOptions) {
  return s
    .string({ description, pattern, maxLength: 63, rules: opts.immutable ? [regionImmutable] : [] })
    .required();
}

export const version = (opts: PlatformOptions, description: string) =>
  kubernetesVersion(description, { upgradeRules: opts.immutable });

export const credentialsRef = () =>
  localObjectReference(
    "Secret in the ClusterDeployment's namespace holding the cloud credentials. Only its name is kept here; " +
      "a missing Secret shows as the CredentialsSecretMissing reason on the Stalled condition.",
  ).required();

export const nodePoolName = (maxLength: number, pattern: NamedPattern = names.dnsLabel) =>
  s
    .string({
      description: "Name of the node pool, unique in the cluster.",
      pattern,
      minLength: 1,
      maxLength,
    })
    .required();

export const poolReplicas = () =>
  s.integer({
    description: "Number of nodes while the cluster runs. Hibernation scales every pool to zero.",
    minimum: 0,
    maximum: 1000,
    default: 2,
  });

export const poolLabels = () => labels("Labels put on every node of the pool.");

export function nodePools<I extends AnySchema>(item: I, defaultPool: InferInput<I>) {
  return s.array(item, {
    description: "Worker node pools. Absent: one pool named workers with the defaults shown.",
    listType: "map",
    listMapKeys: ["name"],
    minItems: 1,
    maxItems: 16,
    default: [defaultPool],
  });
}

export const seconds = (what: string, dflt: number) =>
  s.number({
    description: `Seconds ${what} takes (fractions allowed).`,
    minimum: 0,
    maximum: 86400,
    default: dflt,
  });
