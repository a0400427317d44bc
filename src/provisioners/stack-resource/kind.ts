/**
 * A "stack-backed resource": a kind whose desired state is one Pulumi stack, run by stack jobs on the "pulumi" queue
 * (a ClusterDeployment, a HostedCluster, a cloud NodePool). What every such kind does the same way (queue and
 * follow its jobs, take in their results, retry, cancel, destroy or abandon on delete) lives in this folder once;
 * what differs is a small table per kind, `StackResourceKind` for the controller and `StackJobKind` for the worker,
 * as src/api/cluster-view.ts keeps what differs between the two cluster kinds.
 */
import type { KubeObject, ResourceRef, StackStatus } from "../../api/index.js";
import type { JobView } from "../../queue/job.js";
import type { JobQueue } from "../../queue/job-queue.js";
import type {
  StackJobData,
  StackJobProgress,
  StackJobResult,
  StackOperation,
} from "../../queue/stack-job.js";
import type { SlipwayConfig } from "../../runtime/config.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import type { PlatformDefinition, StackKind } from "../../../stacks/index.js";

export type { StackStatus };
export type StackJobQueue = JobQueue<StackJobData, StackJobResult, StackJobProgress>;
export type StackJobView = JobView<StackJobData, StackJobResult, StackJobProgress>;

/** The reasons the shared stack phases write (in Events); each kind passes its own table's constants. */
export type StackReasons = Record<
  | "Applying"
  | "Refreshing"
  | "Deprovisioning"
  | "CancellingForDelete"
  | "OperationFailed"
  | "DestroyFailed"
  | "NothingToDestroy"
  | "DeprovisionAbandoned"
  | "DriftDetected",
  string
>;

/** What the shared stack phases read and write of a kind's scope (a pass): the rest of the scope is the kind's. */
export interface StackScope {
  now: Date;
  /** The status being built, from the stored one: `stack` is the record of the last operation. */
  status: { stack?: StackStatus };
  /** The job in flight or just finished. */
  job?: StackJobView;
  requeueAfterMs?: number;
}

/** The controller's side of a stack-backed kind: how the shared phases reach its object, deps and status. */
export interface StackResourceKind<O extends KubeObject, S extends StackScope> {
  /** The kind, as job payloads and job events name it. */
  kind: StackKind;
  /** The job type the worker hands to this kind's handler (`StackJobKind`). */
  jobType: string;
  reasons: StackReasons;
  object(scope: S): O;
  kube(scope: S): KubeClient;
  queue(scope: S): StackJobQueue;
  config(scope: S): SlipwayConfig;
  /** Records a Kubernetes Event on the object. */
  event(scope: S, type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
  /** What a finished job's result means to the kind's status beyond `status.stack` (endpoint, power state ...). */
  applyResult(scope: S, last: StackStatus, result: StackJobResult): void;
  /** What the kind's status says as an operation is queued (its power state moving, say). */
  started?(scope: S, type: StackOperation): void;
  /** The Secret the worker wrote for the object (the admin kubeconfig), removed once it is released. */
  writtenSecretName?(scope: S): string | undefined;
  /** Released without a destroy (abandon-deprovision): what may be left behind, in words. */
  leftBehind(scope: S): string;
}

/** The stack, program inputs and platform a worker runs for one object now; the controller computes the same. */
export interface DesiredStack {
  stackName: string;
  inputs: Record<string, unknown>;
  inputsHash: string;
  /** The platform's name and definition: its credentials are read from `platformSpec.credentialsRef`. */
  platform: string;
  definition: PlatformDefinition;
  /** The object's spec.platform.<platform> block. */
  platformSpec: Record<string, unknown>;
}

/** What a worker's stack job gives the kind's table. */
export interface StackJobContext {
  config: SlipwayConfig;
  kube: KubeClient;
  /** False for a destroy: the program's own checks of the spec are skipped. */
  validate: boolean;
}

/** The worker's side of a stack-backed kind. */
export interface StackJobKind<O extends KubeObject> {
  kind: StackKind;
  resource: ResourceRef;
  /**
   * The stack to run for the object now (it may read other objects: a NodePool's HostedCluster). Throws
   * TerminalError or InvalidSpecError when the spec cannot run (the job then fails for good with that reason);
   * `validate` is false for a destroy, which runs whatever the state recorded.
   */
  desired(object: O, context: StackJobContext): DesiredStack | Promise<DesiredStack>;
  /**
   * Secret config the program takes beyond the platform's credentials (a NodePool's join token), read when the job
   * runs so it is never in a payload; handed to Pulumi with the credentials, as secret config.
   */
  moreCredentials?(object: O, context: StackJobContext): Promise<Record<string, string>>;
  /** Where the program's `kubeconfig` output goes: a Secret the object owns, with this label naming the object. */
  kubeconfigSecret?: { name(object: O): string; label: string };
  /** The kind's own fields of the job's result, from the program's outputs. */
  result?(outputs: Record<string, unknown>): Record<string, unknown>;
}
