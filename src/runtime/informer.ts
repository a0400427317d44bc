import { setTimeout as sleep } from "node:timers/promises";
import { Watch } from "@kubernetes/client-node";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { isGone, KubeApiError, TimeoutError } from "../errors/index.js";
import type { KubeClient } from "./kube-client.js";
import { matchesLabelSelector, type LabelSelectorInput } from "./label-selector.js";
import { logger as namedLogger, type Logger } from "./logging.js";
import { apiVersionOf, collectionPath, objectKey, type KubeObject, type ResourceRef } from "./resource.js";

export interface InformerEventHandlers<T extends KubeObject> {
  onAdd?(object: T): void;
  /** Also called with the same object twice on resync, so level-triggered consumers see every object again. */
  onUpdate?(oldObject: T, newObject: T): void;
  /** Gets the last state the informer knew. */
  onDelete?(object: T): void;
}

export interface InformerOptions {
  client: KubeClient;
  resource: ResourceRef;
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string;
  /** Server-side filters: only matching objects are ever cached. */
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size; the whole list is still read before the cache counts as synced. */
  pageSize?: number;
  /** The server ends each watch after about this long (jittered) and the informer resumes from its resourceVersion. */
  watchTimeoutSeconds?: number;
  /** Delay between failed list/watch attempts. */
  backoff?: BackoffOptions;
  /** When set, every cached object is delivered again as an update this often. */
  resyncIntervalMs?: number;
  logger?: Logger;
}

interface WatchEvent {
  type: string;
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

/**
 * A list-then-watch cache of one resource, like client-go's shared informer: it lists, watches from the list's
 * resourceVersion with bookmarks, resumes after a watch ends, relists when the server answers 410 Gone (the
 * resourceVersion is too old for the watch cache) and backs off on other errors. Objects are raw JSON as served;
 * callers must treat them as read-only because handlers and the cache share them.
 */
export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers = new Set<InformerEventHandlers<T>>();
  private readonly watch: Watch;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private resourceVersion = "";
  private relists = 0;
  private forcedWatchResourceVersion?: string;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private stopController = new AbortController();
  private currentWatch?: AbortController;
  private loop?: Promise<void>;
  private resyncTimer?: NodeJS.Timeout;

  constructor(private readonly options: InformerOptions) {
    this.watch = new Watch(options.client.kubeConfig);
    this.backoff = new Backoff(options.backoff ?? { baseMs: 500, maxMs: 30_000, jitter: 0.2 });
    this.log = (options.logger ?? namedLogger("runtime.informer")).child({
      resource: `${options.resource.plural}${options.resource.group ? "." + options.resource.group : ""}`,
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
  }

  get resource(): ResourceRef {
    return this.options.resource;
  }

  /** Registers handlers; an informer that has synced replays its cache to them as adds. Returns an unsubscribe function. */
  addEventHandler(handlers: InformerEventHandlers<T>): () => void {
    this.handlers.add(handlers);
    if (this.synced) for (const object of this.cache.values()) this.deliver(handlers, "add", object);
    return () => this.handlers.delete(handlers);
  }

  start(): void {
    if (this.loop) return;
    this.stopController = new AbortController();
    this.loop = this.run();
    if (this.options.resyncIntervalMs) {
      this.resyncTimer = setInterval(() => this.resync(), this.options.resyncIntervalMs);
      this.resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.currentWatch?.abort();
    clearInterval(this.resyncTimer);
    await this.loop;
    this.loop = undefined;
  }

  /** True once the first full list is in the cache; stays true across relists. */
  hasSynced(): boolean {
    return this.synced;
  }

  async waitForSync(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.synced) return;
    const synced = new Promise<void>((resolve) => this.syncWaiters.push(resolve));
    if (options.timeoutMs === undefined) return synced;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(
              `${this.options.resource.plural} informer did not sync within ${options.timeoutMs} ms`,
            ),
          ),
        options.timeoutMs,
      );
    });
    try {
      await Promise.race([synced, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(filter: { namespace?: string; labelSelector?: LabelSelectorInput } = {}): T[] {
    const result: T[] = [];
    for (const object of this.cache.values()) {
      if (filter.namespace !== undefined && object.metadata?.namespace !== filter.namespace) continue;
      if (
        filter.labelSelector !== undefined &&
        !matchesLabelSelector(object.metadata?.labels, filter.labelSelector)
      )
        continue;
      result.push(object);
    }
    return result;
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  /** How many full lists this informer has done: 1 after the first sync, one more per relist (410 Gone). */
  get relistCount(): number {
    return this.relists;
  }

  /** The resourceVersion the next watch resumes from ("" means the next step is a full list). */
  lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /**
   * Makes the next watch start from `resourceVersion` instead of where the informer is. Only for tests that
   * need to provoke a 410 Gone; it aborts the running watch.
   */
  restartWatchFrom(resourceVersion: string): void {
    this.forcedWatchResourceVersion = resourceVersion;
    this.currentWatch?.abort();
  }

  private async run(): Promise<void> {
    const stopSignal = this.stopController.signal;
    while (!stopSignal.aborted) {
      try {
        if (!this.resourceVersion) await this.relist(stopSignal);
        if (this.forcedWatchResourceVersion !== undefined) {
          this.resourceVersion = this.forcedWatchResourceVersion;
          this.forcedWatchResourceVersion = undefined;
        }
        await this.watchOnce(stopSignal);
      } catch (error) {
        if (stopSignal.aborted) break;
        if (isGone(error)) {
          this.log.info(
            { resourceVersion: this.resourceVersion },
            "Watch resourceVersion expired (410 Gone); relisting",
          );
          this.resourceVersion = "";
          continue;
        }
        const delayMs = this.backoff.next();
        this.log.warn({ err: errorSummary(error), delayMs }, "List or watch failed; retrying after backoff");
        await sleep(delayMs, undefined, { signal: stopSignal }).catch(() => undefined);
      }
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.options;
    const items: T[] = [];
    let continueToken: string | undefined;
    let listResourceVersion = "";
    do {
      const page = await client.request<{
        apiVersion?: string;
        kind?: string;
        metadata?: { resourceVersion?: string; continue?: string };
        items?: T[];
      }>("GET", collectionPath(resource, namespace), {
        query: { labelSelector, fieldSelector, limit: this.options.pageSize ?? 500, continue: continueToken },
        signal,
      });
      for (const item of page.items ?? []) items.push(this.withTypeMeta(item));
      continueToken = page.metadata?.continue || undefined;
      listResourceVersion = page.metadata?.resourceVersion ?? "";
    } while (continueToken);

    const seen = new Set<string>();
    for (const item of items) {
      const key = objectKey(item);
      seen.add(key);
      this.upsert(key, item);
    }
    for (const [key, object] of [...this.cache]) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit("delete", object);
      }
    }
    this.resourceVersion = listResourceVersion;
    this.relists++;
    this.backoff.reset();
    this.log.debug({ count: items.length, resourceVersion: listResourceVersion }, "Listed");
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  /** One watch connection: resolves when the server ends it normally, rejects on errors (410 included). */
  private async watchOnce(stopSignal: AbortSignal): Promise<void> {
    const { resource, namespace, labelSelector, fieldSelector } = this.options;
    const timeoutBase = this.options.watchTimeoutSeconds ?? 300;
    const startedAt = Date.now();
    let eventCount = 0;
    let failure: unknown;

    const ended = new Promise<void>((resolve, reject) => {
      const onEvent = (type: string, object: WatchEvent["object"]) => {
        // Lines already buffered after an ERROR belong to a stream we are abandoning.
        if (failure) return;
        eventCount++;
        if (type === "ERROR") {
          // The server sends a Status (410 Gone for a too-old resourceVersion) and then ends the stream.
          failure = new KubeApiError(
            object.code ?? 500,
            object.reason ?? "",
            object.message ?? "watch error",
            "WATCH",
            collectionPath(resource, namespace),
          );
          this.currentWatch?.abort();
          return;
        }
        this.applyWatchEvent(type, object as T);
      };
      const onDone = (error: unknown) => {
        if (failure) return reject(failure);
        if (stopSignal.aborted) return resolve();
        if (error && !isAbort(error)) return reject(toWatchError(error, resource));
        resolve();
      };
      this.watch
        .watch(
          collectionPath(resource, namespace),
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            // Jitter so the watches of many informers do not all reconnect at the same moment.
            timeoutSeconds: Math.round(timeoutBase * (1 + Math.random())),
            labelSelector,
            fieldSelector,
          },
          onEvent,
          onDone,
        )
        .then((controller) => {
          this.currentWatch = controller;
          if (stopSignal.aborted) controller.abort();
        }, reject);
    });
    await ended;
    this.currentWatch = undefined;
    // A server that accepts and closes at once would otherwise be hammered in a tight loop.
    if (eventCount === 0 && Date.now() - startedAt < 1000 && !stopSignal.aborted) {
      await sleep(this.backoff.next(), undefined, { signal: stopSignal }).catch(() => undefined);
    } else {
      this.backoff.reset();
    }
  }

  private applyWatchEvent(type: string, raw: T): void {
    const version = raw.metadata?.resourceVersion;
    if (type === "BOOKMARK") {
      if (version) this.resourceVersion = version;
      return;
    }
    const object = this.withTypeMeta(raw);
    const key = objectKey(object);
    if (type === "ADDED" || type === "MODIFIED") {
      this.upsert(key, object);
    } else if (type === "DELETED") {
      this.cache.delete(key);
      this.emit("delete", object);
    }
    if (version) this.resourceVersion = version;
  }

  private upsert(key: string, object: T): void {
    const previous = this.cache.get(key);
    this.cache.set(key, object);
    if (!previous) this.emit("add", object);
    else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion)
      this.emit("update", object, previous);
  }

  private resync(): void {
    if (!this.synced) return;
    for (const object of this.cache.values()) this.emit("update", object, object);
  }

  private emit(event: "add" | "update" | "delete", object: T, previous?: T): void {
    for (const handlers of this.handlers) this.deliver(handlers, event, object, previous);
  }

  private deliver(
    handlers: InformerEventHandlers<T>,
    event: "add" | "update" | "delete",
    object: T,
    previous?: T,
  ): void {
    try {
      if (event === "add") handlers.onAdd?.(object);
      else if (event === "update") handlers.onUpdate?.(previous ?? object, object);
      else handlers.onDelete?.(object);
    } catch (error) {
      // One broken handler must not stop the cache or the other handlers.
      this.log.error(
        { err: errorSummary(error), event, object: objectKey(object) },
        "Informer event handler threw",
      );
    }
  }

  /** List items of built-in kinds come without apiVersion and kind; fill them in so every cached object is complete. */
  private withTypeMeta(object: T): T {
    if (object.apiVersion && object.kind) return object;
    return { ...object, apiVersion: apiVersionOf(this.options.resource), kind: this.options.resource.kind };
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "Abort");
}

function toWatchError(error: unknown, resource: ResourceRef): unknown {
  const statusCode = (error as { statusCode?: number }).statusCode;
  if (typeof statusCode === "number") {
    return new KubeApiError(
      statusCode,
      statusCode === 410 ? "Gone" : "",
      (error as Error).message,
      "WATCH",
      `/${resource.plural}`,
    );
  }
  return error;
}

function errorSummary(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
