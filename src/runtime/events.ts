import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { isAlreadyExists, isNotFound } from "../errors/index.js";
import type { KubeClient } from "./kube-client.js";
import { logger as namedLogger, type Logger } from "./logging.js";
import { safeMessage } from "./redaction.js";
import { coreResources, type KubeObject } from "./resource.js";
import { isValidReason } from "./conditions.js";

export type EventType = "Normal" | "Warning";

export interface EventInput {
  type: EventType;
  /** CamelCase: "ProvisionStarted", "CredentialsSecretMissing". */
  reason: string;
  /** For a person; scrubbed of secret-looking text and cut to 1 KiB. */
  message: string;
  /** What the controller did or is about to do: "Provision", "Hibernate" ... */
  action?: string;
}

export interface EventRecorderOptions {
  client: KubeClient;
  /** `source.component` / `reportingComponent`: "slipway-controller". */
  component: string;
  /** `reportingInstance`: this replica. */
  instance?: string;
  logger?: Logger;
}

interface CoreEvent extends KubeObject {
  count?: number;
  lastTimestamp?: string;
}

/**
 * Records core/v1 Events about objects. Identical events (same object, type, reason and message) share one
 * Event whose `count` and `lastTimestamp` grow, like client-go's correlator, so a flapping controller does not
 * flood etcd. Recording is best effort: failures are logged, never thrown into a reconcile.
 */
export class EventRecorder {
  private readonly log: Logger;
  private readonly instance: string;
  /** Counts of Events this process created or bumped, to bump without reading first. */
  private readonly counts = new Map<string, number>();

  constructor(private readonly options: EventRecorderOptions) {
    this.log = options.logger ?? namedLogger("runtime.events");
    this.instance = options.instance ?? hostname();
  }

  async record(regarding: KubeObject, input: EventInput): Promise<void> {
    try {
      await this.recordOrThrow(regarding, input);
    } catch (error) {
      this.log.warn(
        { err: error instanceof Error ? error.message : String(error), reason: input.reason },
        "Could not record event",
      );
    }
  }

  /** The Event's name: stable for identical events, so repeats aggregate into one object. */
  static eventName(regarding: KubeObject, input: Pick<EventInput, "type" | "reason" | "message">): string {
    const meta = regarding.metadata ?? {};
    const digest = createHash("sha256")
      .update(
        [
          meta.uid ?? "",
          regarding.kind ?? "",
          meta.namespace ?? "",
          meta.name ?? "",
          input.type,
          input.reason,
          safeMessage(input.message),
        ].join("\u0000"),
      )
      .digest("hex")
      .slice(0, 16);
    return `${(meta.name ?? "object").slice(0, 200)}.${digest}`;
  }

  private async recordOrThrow(regarding: KubeObject, input: EventInput): Promise<void> {
    if (!isValidReason(input.reason)) throw new Error(`event reason "${input.reason}" must be CamelCase`);
    const meta = regarding.metadata ?? {};
    // Events about cluster-scoped objects live in "default", as client-go does it.
    const namespace = meta.namespace || "default";
    const name = EventRecorder.eventName(regarding, input);
    const now = new Date().toISOString();
    const cacheKey = `${namespace}/${name}`;
    const known = this.counts.get(cacheKey);
    if (known !== undefined) {
      if (await this.bump(namespace, name, known + 1, now)) return;
    }
    const event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      type: input.type,
      reason: input.reason,
      message: safeMessage(input.message),
      action: input.action,
      source: { component: this.options.component, host: this.instance },
      reportingComponent: this.options.component,
      reportingInstance: this.instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.options.client.create(coreResources.events, event);
      this.counts.set(cacheKey, 1);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // Another replica or an earlier run of this one made it: read its count and bump it.
      const existing = await this.options.client.get<CoreEvent>(coreResources.events, namespace, name);
      await this.bump(namespace, name, (existing.count ?? 1) + 1, now);
    }
    this.trimCache();
  }

  private async bump(namespace: string, name: string, count: number, now: string): Promise<boolean> {
    try {
      await this.options.client.patch(
        coreResources.events,
        namespace,
        name,
        { count, lastTimestamp: now },
        { type: "merge" },
      );
      this.counts.set(`${namespace}/${name}`, count);
      return true;
    } catch (error) {
      // Events expire (an hour by default): start a new one.
      if (isNotFound(error)) {
        this.counts.delete(`${namespace}/${name}`);
        return false;
      }
      throw error;
    }
  }

  private trimCache(): void {
    if (this.counts.size <= 4096) return;
    const oldest = this.counts.keys().next().value;
    if (oldest !== undefined) this.counts.delete(oldest);
  }
}
