import type { EventRecorder } from "./events.js";
import type { KubeClient } from "./kube-client.js";
import type { Logger } from "./logging.js";
import type { KubeObject } from "./resource.js";
import type { OwnedStatus } from "./status-patch.js";

/** What a pass asks for next. */
export interface ReconcileResult {
  /** Milliseconds until the object is reconciled again without any event (polling a job, a deadline). */
  requeueAfter?: number;
}

/** Handed to every phase through the scope the reconciler builds. */
export interface ReconcileContext {
  /** The queue key: "namespace/name". */
  key: string;
  /** Already carries `{ <Kind>: "ns/name", controller }`. */
  log: Logger;
  events: EventRecorder;
  client: KubeClient;
  /** The time this pass started: use it for every timestamp the pass writes so one pass writes one time. */
  now: Date;
}

/** Everything `computeStatus` may look at after the phases ran. */
export interface StatusInput<T extends KubeObject, S> {
  /** The object as the pass saw it (after the finalizer was added), including its current status. */
  object: T;
  /** Undefined when building the scope failed. */
  scope?: S;
  /** Whether this was a delete pass. */
  deleting: boolean;
  /** The phases returned normally. */
  succeeded: boolean;
  /**
   * What a phase (or buildScope) threw. A `TerminalError` is the one way a phase stalls the object (until its spec
   * or environment changes); `summarize` turns it into Stalled. Anything else is retried with backoff.
   */
  error?: unknown;
  result?: ReconcileResult;
  /** metadata.generation of `object`. */
  generation?: number;
  now: Date;
}

/**
 * One controller's logic in the reconcile shape of docs/contributing.md. The harness (ReconcileRunner) gets the
 * object, ensures the finalizer, calls buildScope, runs reconcileNormal or reconcileDelete, and in a `finally`
 * calls computeStatus and applies its result to /status. Phases decide and act; computeStatus only reports.
 */
export interface Reconciler<T extends KubeObject, S> {
  /**
   * false for a controller that works on a kind another controller owns (power, registration, bootstrap over a
   * ClusterDeployment): status.observedGeneration is the owner's to write. Default true.
   */
  writesObservedGeneration?: boolean;
  /** The finalizer this controller owns ("slipway.dev/cluster-deployment"); omit when deletion needs no cleanup. */
  finalizer?: string;
  /** Reads what the phases need (secondary objects, job state) into one per-pass object. */
  buildScope(object: T, context: ReconcileContext): Promise<S> | S;
  reconcileNormal(scope: S): Promise<ReconcileResult | void>;
  /**
   * Cleans up before the object goes. Return `{ requeueAfter }` (or throw) while cleanup is still running; the
   * harness removes the finalizer once this returns without a requeue.
   */
  reconcileDelete(scope: S): Promise<ReconcileResult | void>;
  /**
   * Every status field this controller owns, computed in one place. Fields left out are removed (server-side
   * apply), so carry forward what should persist (timestamps, job references) from `input.object.status`. The
   * harness adds `observedGeneration`. Timestamps must be in the format the API stores (seconds, `Z`), or every
   * pass looks like a change.
   */
  computeStatus(input: StatusInput<T, S>): OwnedStatus;
}
