import { createHash } from "node:crypto";
import { canonicalJson } from "../runtime/status-patch.js";
import type { JobData } from "./job.js";
import type { PulumiProgress } from "./pulumi-progress.js";

/**
 * What a stack job does, for any kind that owns a Pulumi stack. Provision, hibernate, resume and resize are all
 * `up` with a different desired state.
 */
export type StackOperation = "up" | "destroy" | "refresh";

/** A stack job's payload: references only (see JobData). */
export interface StackJobData extends JobData {
  operation: StackOperation;
  /**
   * Attempts of this operation that failed in earlier jobs (a destroy retried under a new job id), so attempt
   * numbers keep counting across jobs.
   */
  priorAttempts?: number;
}

/** A finished stack job's return value: what the controller copies into status. Never secrets. */
export interface StackJobResult {
  operation: StackOperation;
  generation: number;
  apiURL?: string;
  infraID?: string;
  powerState?: string;
  /** A refresh's words for what differs from the spec beyond the power state (the stack output `drift`). */
  drift?: string;
  /** The Secret holding the admin kubeconfig, in the resource's namespace. */
  kubeconfigSecret?: string;
  resourceChanges: Record<string, number>;
  durationMs: number;
  finishedAt: string;
  /** Set when the worker found the resource gone or superseded and did nothing. */
  skipped?: string;
  /**
   * What the platform says about this cluster that a person should know (the stack output `note`, never secret):
   * vsphere says its guest is simulated. Shown in status.stack.message.
   */
  note?: string;
  /** stackInputsHash of the inputs the run applied (up and refresh). */
  inputsHash?: string;
}

/** A stack job's progress: how far the Pulumi engine got. */
export type StackJobProgress = PulumiProgress;

/** Longest stack name: it names the workspace folder and backend files, which file systems cap at 255 bytes. */
export const MAX_STACK_NAME = 100;

/**
 * The Pulumi stack of one resource: stable for its lifetime, unique across namespaces and re-creations. Names
 * admission accepts (a 63-character namespace, a 253-character name) would not fit a file name, so a long one
 * keeps a readable prefix and ends with a hash of the whole.
 */
export function stackNameFor(ref: { namespace: string; name: string; uid: string }): string {
  const full = `${ref.namespace}-${ref.name}-${ref.uid.slice(0, 8)}`;
  if (full.length <= MAX_STACK_NAME) return full;
  const hash = createHash("sha256")
    .update(`${ref.namespace}/${ref.name}/${ref.uid}`)
    .digest("hex")
    .slice(0, 16);
  const prefix = `${ref.namespace}-${ref.name}`
    .slice(0, MAX_STACK_NAME - hash.length - 1)
    .replace(/[-.]+$/, "");
  return `${prefix}-${hash}`;
}

/** Identifies a stack program's inputs whatever their key order: equal hashes mean an `up` would change nothing. */
export function stackInputsHash(inputs: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalJson(inputs)).digest("hex").slice(0, 32);
}
