import { ConditionType, getCondition, type Condition } from "./conditions.js";
import { isConflict, isNotFound, TerminalError } from "../errors/index.js";
import type { EventRecorder } from "./events.js";
import type { KubeClient } from "./kube-client.js";
import { forObject, logger as namedLogger, type Logger } from "./logging.js";
import type { Metrics, ReconcileResultLabel } from "./metrics.js";
import type { Reconciler, ReconcileContext, ReconcileResult, StatusInput } from "./reconciler.js";
import { apiVersionOf, objectKey, parseObjectKey, type KubeObject, type ResourceRef } from "./resource.js";
import { safeMessage } from "./redaction.js";
import { statusNeedsWrite, withoutUndefined, type OwnedStatus } from "./status-patch.js";

/**
 * Each controller writes status and finalizers under a field manager of its own ("slipway-cluster-deployment"),
 * so server-side apply keeps apart what several controllers (stack, registration, bootstrap, power) write on one
 * object, and `kubectl get --show-managed-fields` tells who wrote what.
 */
export function controllerFieldManager(controller: string): string {
  return `slipway-${controller}`;
}

/** Where the runner reads objects: an informer's cache. */
export interface ObjectCache<T extends KubeObject> {
  getByKey(key: string): T | undefined;
}

export interface ReconcileRunnerOptions<T extends KubeObject, S> {
  /** Controller name for logs and metrics ("cluster-deployment"). */
  controller: string;
  resource: ResourceRef;
  reconciler: Reconciler<T, S>;
  cache: ObjectCache<T>;
  client: KubeClient;
  events: EventRecorder;
  metrics?: Metrics;
  /** Default: controllerFieldManager(controller). */
  fieldManager?: string;
  logger?: Logger;
}

interface WithStatus extends KubeObject {
  status?: { observedGeneration?: number; conditions?: Condition[] } & Record<string, unknown>;
}

/**
 * The reconcile harness: one pass for one key. Returns what the work queue should do next; throws for a
 * transient failure so the queue backs off. A TerminalError is reported (Stalled) and not retried, unless it asks
 * to be looked at again after a while (a missing Secret nobody watches).
 */
export class ReconcileRunner<T extends KubeObject, S> {
  private readonly fieldManager: string;
  private readonly log: Logger;

  constructor(private readonly options: ReconcileRunnerOptions<T, S>) {
    this.fieldManager = options.fieldManager ?? controllerFieldManager(options.controller);
    this.log = (options.logger ?? namedLogger("runtime.reconcile")).child({ controller: options.controller });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const started = performance.now();
    let resultLabel: ReconcileResultLabel = "success";
    try {
      const result = await this.pass(key);
      if (result.stalled) resultLabel = "stalled";
      else if (result.requeueAfter !== undefined) resultLabel = "requeue_after";
      return result.requeueAfter !== undefined ? { requeueAfter: result.requeueAfter } : {};
    } catch (error) {
      resultLabel = "error";
      throw error;
    } finally {
      const { metrics, controller } = this.options;
      metrics?.reconcileTotal.inc({ controller, result: resultLabel });
      if (resultLabel === "error" || resultLabel === "stalled") metrics?.reconcileErrors.inc({ controller });
      metrics?.reconcileDuration.observe({ controller }, (performance.now() - started) / 1000);
    }
  }

  private async pass(key: string): Promise<ReconcileResult & { stalled?: boolean }> {
    const { reconciler, cache } = this.options;
    const log = this.log.child(forObject(this.options.resource.kind, key));
    let object = cache.getByKey(key) as (T & WithStatus) | undefined;
    if (!object) {
      log.debug("Object is gone; nothing to do");
      return {};
    }
    const deleting = Boolean(object.metadata?.deletionTimestamp);
    const finalizer = reconciler.finalizer;
    if (deleting && (!finalizer || !object.metadata?.finalizers?.includes(finalizer))) {
      log.debug("Object is being deleted and holds none of our finalizers; nothing to do");
      return {};
    }
    if (!deleting && finalizer && !object.metadata?.finalizers?.includes(finalizer)) {
      log.debug({ finalizer }, "Adding finalizer");
      object = (await this.addFinalizer(object, finalizer)) as T & WithStatus;
    }

    const now = new Date();
    const context: ReconcileContext = {
      key,
      log,
      events: this.options.events,
      client: this.options.client,
      now,
    };
    const input: StatusInput<T, S> = {
      object,
      deleting,
      succeeded: false,
      generation: object.metadata?.generation,
      now,
    };
    let finalizerRemoved = false;
    try {
      input.scope = await reconciler.buildScope(object, context);
      const result =
        (deleting
          ? await reconciler.reconcileDelete(input.scope)
          : await reconciler.reconcileNormal(input.scope)) ?? {};
      input.result = result;
      input.succeeded = true;
      if (deleting && finalizer && result.requeueAfter === undefined) {
        log.info({ finalizer }, "Cleanup finished; removing finalizer");
        await this.removeFinalizer(object, finalizer);
        finalizerRemoved = true;
      }
    } catch (error) {
      input.error = error;
      input.succeeded = false;
    } finally {
      // Once the finalizer is gone the object may be deleted at any moment: there is no status left to report.
      if (!finalizerRemoved) await this.writeStatus(object, input, log);
    }

    if (input.error !== undefined) {
      if (input.error instanceof TerminalError) {
        const terminal = input.error;
        log.warn(
          { reason: terminal.reason, err: safeMessage(terminal.message) },
          "Stalled until the spec changes",
        );
        return { stalled: true, requeueAfter: terminal.requeueAfterMs };
      }
      const text = input.error instanceof Error ? input.error.message : String(input.error);
      log.warn({ err: safeMessage(text) }, "Reconcile failed; retrying with backoff");
      throw input.error;
    }
    return input.result ?? {};
  }

  /**
   * Writes the owned status with server-side apply when it differs from what the object has. A failed status
   * write after a failed pass must not hide the pass's error, so it is logged and the original error wins.
   */
  private async writeStatus(object: T & WithStatus, input: StatusInput<T, S>, log: Logger): Promise<void> {
    let desired: OwnedStatus;
    try {
      desired = withoutUndefined(this.options.reconciler.computeStatus(input));
    } catch (error) {
      log.error(
        { err: error instanceof Error ? error.message : String(error) },
        "computeStatus threw; status not written",
      );
      if (input.error === undefined) throw error;
      return;
    }
    // observedGeneration says "this generation was fully handled": a successful pass, or a stall (the answer for
    // this generation is Stalled, so kstatus reads Failed rather than InProgress). A transient error leaves it.
    const handled = input.succeeded || input.error instanceof TerminalError;
    const observedGeneration = handled ? input.generation : object.status?.observedGeneration;
    if (observedGeneration !== undefined && this.options.reconciler.writesObservedGeneration !== false)
      desired.observedGeneration = observedGeneration;
    if (!statusNeedsWrite(object, desired, this.fieldManager)) return;

    const { resource, client } = this.options;
    const { namespace, name } = parseObjectKey(objectKey(object));
    try {
      await client.patch(
        resource,
        namespace,
        name,
        {
          apiVersion: object.apiVersion ?? apiVersionOf(resource),
          kind: object.kind ?? resource.kind,
          metadata: { name, namespace },
          status: desired,
        },
        { type: "apply", subresource: "status", fieldManager: this.fieldManager, force: true },
      );
      log.debug("Status written");
      await this.recordTransition(object, desired);
    } catch (error) {
      if (isNotFound(error)) return;
      log.warn({ err: error instanceof Error ? error.message : String(error) }, "Status write failed");
      if (input.error === undefined) throw error;
    }
  }

  /** Events on summary transitions only (became Ready, became Stalled), so `kubectl describe` tells the story. */
  private async recordTransition(object: T & WithStatus, desired: OwnedStatus): Promise<void> {
    const before = object.status?.conditions;
    const after = desired.conditions as Condition[] | undefined;
    const readyBefore = getCondition(before, ConditionType.Ready);
    const readyAfter = getCondition(after, ConditionType.Ready);
    const stalledBefore = getCondition(before, ConditionType.Stalled);
    const stalledAfter = getCondition(after, ConditionType.Stalled);
    if (
      stalledAfter?.status === "True" &&
      (stalledBefore?.status !== "True" || stalledBefore.reason !== stalledAfter.reason)
    ) {
      await this.options.events.record(object, {
        type: "Warning",
        reason: stalledAfter.reason,
        message: stalledAfter.message,
      });
    } else if (
      readyAfter &&
      readyAfter.status !== readyBefore?.status &&
      (readyAfter.status === "True" || readyBefore?.status === "True")
    ) {
      await this.options.events.record(object, {
        type: "Normal",
        reason: readyAfter.reason,
        message: readyAfter.message,
      });
    }
  }

  private async addFinalizer(object: T, finalizer: string): Promise<T> {
    return this.patchFinalizers(object, (list) => (list.includes(finalizer) ? list : [...list, finalizer]));
  }

  private async removeFinalizer(object: T, finalizer: string): Promise<void> {
    try {
      await this.patchFinalizers(object, (list) => list.filter((f) => f !== finalizer));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * A merge patch replaces the whole finalizer list, so it carries the resourceVersion it was computed from:
   * the server refuses it (409) if another writer changed the list meanwhile. The cache may lag behind our own
   * last write, so on a conflict read the object once and try again.
   */
  private async patchFinalizers(object: T, change: (list: string[]) => string[]): Promise<T> {
    const { resource, client } = this.options;
    const { namespace, name } = parseObjectKey(objectKey(object));
    const attempt = (current: T) =>
      client.patch<T>(
        resource,
        namespace,
        name,
        {
          metadata: {
            finalizers: change(current.metadata?.finalizers ?? []),
            resourceVersion: current.metadata?.resourceVersion,
          },
        },
        { type: "merge", fieldManager: this.fieldManager },
      );
    try {
      return await attempt(object);
    } catch (error) {
      if (!isConflict(error)) throw error;
      return attempt(await client.get<T>(resource, namespace, name));
    }
  }
}
