import type { PulumiFn } from "@pulumi/pulumi/automation/index.js";
import type { ClusterPlatform, HostedClusterPlatformName } from "../src/api/platform.js";
import type { PlatformOptions } from "../src/api/platform-fields.js";
import type { AnySchema } from "../src/api/schema.js";
import type { ProviderPluginRef } from "./provider-plugins.js";

/** The kinds a platform may have a program for (a cloud's NodePool program makes the provider's node group). */
export type StackKind = "ClusterDeployment" | "HostedCluster" | "NodePool";

/** What the host running a stack adds to a resource's spec: where things live on this machine. */
export interface StackContext {
  stackName: string;
  /** The resource's metadata.uid: unique across re-creations of a name, so cloud resources can carry it. */
  uid: string;
  /** Slipway's state folder. */
  stateDir: string;
  /** Folder with the programs tools/build.sh builds (etcd, kube-apiserver, pulumi ...). */
  toolsBinDir: string;
}

/** What a platform's program does for given inputs, for logs, progress and the runner. */
export interface StackDescription {
  platform: string;
  /** One line a person can read, never secret: "local cluster dev-a (Running) in /var/lib/...". */
  summary: string;
  /**
   * How many resources one run registers (the stack, components, custom resources and their providers), so
   * progress has a total before the engine has seen them all.
   */
  expectedResources: number;
  /** Stack outputs that are secret. */
  secretOutputs: readonly string[];
  /**
   * Repeating an interrupted create is safe (it adopts what the first attempt made), so a run that clears a dead
   * worker's lock may forget the pending create and redo it. False for clouds, where that could orphan resources.
   */
  idempotentCreate: boolean;
}

/**
 * One kind's Pulumi program on one platform. Inputs are validated before Pulumi runs, with the same schema as the
 * API plus what admission cannot see (binaries on this machine, say), so a bad spec is terminal at once.
 */
export interface StackProgram<Inputs = unknown> {
  /** Inputs this host adds to what the spec says (the local platform's data folder and binaries). */
  hostInputs?(ctx: StackContext): Record<string, unknown>;
  /** Returns the inputs with defaults applied; throws TerminalStackError when retrying cannot help. */
  validate(inputs: unknown): Inputs;
  /** The inline Pulumi program. Pure: nothing happens until Pulumi runs it. */
  program(inputs: Inputs): PulumiFn;
  describe(inputs: Inputs): StackDescription;
}

/**
 * The cloud credentials a platform's programs read. The worker reads them from the Secret the spec's
 * credentialsRef names and hands them to the run as one secret Pulumi config value (stacks/credentials.ts):
 * never through Redis, a log or the stack inputs.
 */
export interface PlatformCredentials {
  /** Keys the Secret must hold; only these are passed on. Empty: whatever the Secret holds is passed on. */
  keys: readonly string[];
  /**
   * Other Secrets the spec may name (a field of spec.platform.<name> holding a LocalObjectReference) whose keys
   * are passed on with the credentials when the field is set: vsphere's certificatesRef (ca.crt).
   */
  alsoFrom?: readonly { field: string; keys: readonly string[] }[];
}

/**
 * How a platform's cluster joins the hub (OCM registration). The registration controller and its spoke job
 * (src/bootstrap/registration) implement the three ways and ask the platform which is its own.
 */
export type HubJoin =
  /**
   * OCM's registration agent runs on the machine that runs the cluster, beside it, supervised by the worker in the
   * platform's data folder; it stops while the cluster hibernates. Needs `dataFolder`.
   */
  | { method: "supervised-agent" }
  /**
   * No process: the simulated agent (a job on the hub) joins and renews the ManagedCluster's lease, which is long
   * so that thousands of clusters stay cheap; `latencyMs` is how long a real agent would take for this spec.
   */
  | { method: "simulated-agent"; leaseDurationSeconds: number; latencyMs(platform: ClusterPlatform): number }
  /** OCM's klusterlet operator is applied to the spoke through its admin kubeconfig and runs OCM's agents there. */
  | { method: "klusterlet" };

/** What a simulated policy evaluation does for a spec: how long it takes and the failure it injects, if any. */
export interface SimulatedEvaluation {
  delayMs: number;
  failure?: { mode?: "Transient" | "Terminal"; attempts?: number; message?: string };
}

/** How Slipway reaches a cluster's API to evaluate BootstrapPolicies (src/bootstrap/policies). */
export type PolicyAccess =
  /** Through the admin kubeconfig Secret the stack's outputs wrote (status.adminKubeconfigSecretRef). */
  | { via: "admin-kubeconfig" }
  /** The cluster has no API: the evaluation is simulated from the spec. */
  | { via: "simulation"; evaluation(platform: ClusterPlatform): SimulatedEvaluation };

/** A platform whose clusters keep files on the machine that runs their stack: one folder per stack. */
export interface PlatformDataFolder {
  /** The folder that holds one folder per stack (`<stateDir>/clusters` for local). */
  root(stateDir: string): string;
}

/** What a NodePool's nodes are on a platform (PlatformDefinition.nodePoolNodes). */
export type NodePoolNodes = "api-objects" | "status-only" | "provider-node-group";

/** Everything about one platform, in its own folder stacks/<name>/. */
export interface PlatformDefinition {
  /** A platform of PLATFORMS, or one only a HostedCluster names (`kubernetes`, which has no ClusterDeployment program). */
  name: HostedClusterPlatformName;
  /**
   * False while the platform has only its schema and a program skeleton: the ClusterDeployment controller answers
   * a cluster on it with Stalled UnsupportedPlatform and the runner refuses to run it.
   */
  implemented: boolean;
  /** The spec.platform.<name> schema fragment (also composed into the API by src/api/platform.ts). */
  schema(opts: PlatformOptions): AnySchema;
  /** Absent: the platform needs no credentials. */
  credentials?: PlatformCredentials;
  /**
   * The Pulumi provider plugins its programs need (the dynamic provider of `local` and `simulated` ships with
   * @pulumi/pulumi). A cluster waits, with condition reason ProviderPluginMissing, until they are installed.
   */
  plugins?: readonly ProviderPluginRef[];
  /** One program per kind the platform supports. */
  programs: Partial<Record<StackKind, StackProgram<any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** How its cluster joins the hub. */
  hubJoin: HubJoin;
  /** How Slipway reaches its cluster's API to evaluate policies. */
  policyAccess: PolicyAccess;
  /** What hibernation means there, in one line a person reads (what stops, what is kept, what stays billed). */
  hibernation: string;
  /** Its data folder on the machine that runs the stack; absent when everything lives in the stack's state. */
  dataFolder?: PlatformDataFolder;
  /**
   * What a NodePool's nodes are on it (src/provisioners/node-pool): `api-objects`, simulated Node objects the
   * controller writes into the hosted cluster's API; `status-only`, counts in the NodePool's status (the cluster
   * has no API); `provider-node-group`, the provider's node group of self-managed machines made by the platform's
   * NodePool program (`programs.NodePool`), whose boot config joins the hosted API with a bootstrap token; the
   * pool's HostedCluster must be on a platform with `hostsProviderNodePools`. Absent: the platform has no
   * NodePools (the pool is Stalled UnsupportedPlatform).
   */
  nodePoolNodes?: NodePoolNodes;
  /**
   * Its HostedClusters' control planes serve an API that machines outside this hub can join (management mode:
   * the control plane as workloads on a management cluster, HyperShift's model), so NodePools whose
   * `nodePoolNodes` is `provider-node-group` (aws, azure, gcp) may name them.
   */
  hostsProviderNodePools?: boolean;
  /**
   * Failures its provider reports by reason (a message starting `<Reason>: `) and whether retrying can help: rows
   * of the one error table (src/queue/pulumi-errors.ts). Each reason is in src/api/reasons.ts.
   */
  faults?: readonly { reason: string; retry: boolean }[];
}
