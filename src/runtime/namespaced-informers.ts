import type { Informer, InformerEventHandlers } from "./informer.js";
import type { LabelSelectorInput } from "./label-selector.js";
import type { KubeObject, ResourceRef } from "./resource.js";

/** What controllers read from a shared informer: its cache and its events. */
export type SharedInformer<T extends KubeObject = KubeObject> = Pick<
  Informer<T>,
  | "resource"
  | "addEventHandler"
  | "start"
  | "stop"
  | "hasSynced"
  | "waitForSync"
  | "get"
  | "getByKey"
  | "list"
  | "keys"
>;

/**
 * One namespaced resource watched in a few namespaces (a manager told to watch only those): an informer per
 * namespace, read as one cache, as controller-runtime's multi-namespace cache does.
 */
export class NamespacedInformers<T extends KubeObject = KubeObject> implements SharedInformer<T> {
  constructor(private readonly byNamespace: ReadonlyMap<string, Informer<T>>) {
    if (byNamespace.size === 0) throw new Error("NamespacedInformers needs at least one namespace");
  }

  private get all(): Informer<T>[] {
    return [...this.byNamespace.values()];
  }

  get resource(): ResourceRef {
    return this.all[0]!.resource;
  }

  addEventHandler(handlers: InformerEventHandlers<T>): () => void {
    const unsubscribe = this.all.map((informer) => informer.addEventHandler(handlers));
    return () => unsubscribe.forEach((u) => u());
  }

  start(): void {
    for (const informer of this.all) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((informer) => informer.stop()));
  }

  hasSynced(): boolean {
    return this.all.every((informer) => informer.hasSynced());
  }

  async waitForSync(options: { timeoutMs?: number } = {}): Promise<void> {
    await Promise.all(this.all.map((informer) => informer.waitForSync(options)));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return namespace === undefined ? undefined : this.byNamespace.get(namespace)?.get(namespace, name);
  }

  getByKey(key: string): T | undefined {
    const slash = key.indexOf("/");
    return slash < 0 ? undefined : this.byNamespace.get(key.slice(0, slash))?.getByKey(key);
  }

  list(filter: { namespace?: string; labelSelector?: LabelSelectorInput } = {}): T[] {
    if (filter.namespace !== undefined) return this.byNamespace.get(filter.namespace)?.list(filter) ?? [];
    return this.all.flatMap((informer) => informer.list(filter));
  }

  keys(): string[] {
    return this.all.flatMap((informer) => informer.keys());
  }
}
