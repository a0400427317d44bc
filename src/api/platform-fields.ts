/**
 * Building blocks of the platform schema fragments (src/api/platforms/<platform>.ts): the fields several platforms
 * share, written once so their descriptions and rules agree.
 */
import { immutable, kubernetesVersion, labels, localObjectReference, names } from "./common.js";
import { s, type AnySchema, type InferInput, type NamedPattern, type ValidationRule } from "./schema.js";

/** Options that differ between a ClusterDeployment (immutable infrastructure) and a pool template. */
export interface PlatformOptions {
  /** Adds the transition rules: platform kind, region and version upgrade policy. */
  immutable: boolean;
}

const regionImmutable = immutable("region", "create a new cluster in the other region instead");

const NEW_CLUSTER = "a new value means a new cluster: create one with it and move the workloads there";

/**
 * The rule of a field that says where an existing cluster lives or how its network is built (a CIDR, a project, a
 * resource group, a VPC network): the cloud cannot change it in place, so a ClusterDeployment or HostedCluster
 * refuses the change at admission instead of replacing the cluster. A pool template may change it (only new
 * clusters get it), so it is there only with opts.immutable.
 */
export function fixedOnceCreated(opts: PlatformOptions, field: string, hint = NEW_CLUSTER): ValidationRule[] {
  return opts.immutable ? [immutable(field, hint)] : [];
}

/**
 * The object-level rule for optional fields without a default among those: `self == oldSelf` runs only when both
 * values exist, so adding or removing one later is refused here.
 */
export function presenceFixed(
  opts: PlatformOptions,
  fields: readonly string[],
  hint = NEW_CLUSTER,
): ValidationRule[] {
  if (!opts.immutable) return [];
  return [
    {
      rule: fields.map((f) => `has(self.${f}) == has(oldSelf.${f})`).join(" && "),
      message: `${fields.join(" and ")} cannot be added or removed once the cluster exists: ${hint}`,
    },
  ];
}

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

export const nodePoolAutoScaling = s.object(
  {
    min: s.integer({ description: "Fewest nodes.", minimum: 0, maximum: 1000 }).required(),
    max: s.integer({ description: "Most nodes.", minimum: 1, maximum: 1000 }).required(),
  },
  {
    description: "Let the autoscaler size the pool between min and max.",
    rules: [
      {
        rule: "self.min <= self.max",
        message: "autoScaling.min must be less than or equal to autoScaling.max",
      },
    ],
  },
);

export const taint = s.object({
  key: s.string({ description: "Taint key.", minLength: 1, maxLength: 317 }).required(),
  value: s.string({ description: "Taint value.", maxLength: 63 }),
  effect: s
    .enum(["NoSchedule", "PreferNoSchedule", "NoExecute"], { description: "Taint effect." })
    .required(),
});

/**
 * The sizing and scheduling fields every cloud node pool has beside its machine: bounds for the cloud's
 * autoscaler and taints. With autoScaling, replicas is the size the pool starts at, brought within min..max.
 */
export const cloudPoolFields = () => ({
  replicas: poolReplicas(),
  autoScaling: nodePoolAutoScaling,
  labels: poolLabels(),
  taints: s.array(taint, {
    description: "Taints put on every node of the pool.",
    maxItems: 32,
  }),
});

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
