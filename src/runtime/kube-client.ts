import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError } from "../errors/index.js";
import { describePermission, requestAttributes } from "./rbac.js";
import { collectionPath, objectPath, type KubeList, type KubeObject, type ResourceRef } from "./resource.js";

export type QueryParams = Record<string, string | number | boolean | undefined>;

export interface KubeRequestOptions {
  query?: QueryParams;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
}

/**
 * merge: RFC 7386 JSON merge patch (lists replaced whole; include metadata.resourceVersion for optimistic locking).
 * json: RFC 6902 JSON patch. apply: server-side apply (needs fieldManager). strategic: core kinds only.
 */
export type PatchType = "merge" | "json" | "apply" | "strategic";

const patchContentTypes: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  apply: "application/apply-patch+yaml",
  strategic: "application/strategic-merge-patch+json",
};

export interface PatchOptions {
  type: PatchType;
  subresource?: string;
  fieldManager?: string;
  /** Server-side apply only: take over fields other managers own. */
  force?: boolean;
}

export interface KubeClientOptions {
  /** A request (not a watch) that takes longer than this fails. */
  requestTimeoutMs?: number;
}

/**
 * A small path-based REST client for any resource (custom or core) that returns raw JSON objects. The
 * generated clients of @kubernetes/client-node are per kind and convert timestamps to Dates; controllers that
 * work with many kinds by group/version/plural want one shape for all of them and the server's own errors.
 */
export class KubeClient {
  private agent?: { key: string; agent: https.Agent };
  private readonly requestTimeoutMs: number;

  constructor(
    readonly kubeConfig: KubeConfig,
    options: KubeClientOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  async get<T extends KubeObject>(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): Promise<T> {
    return this.request<T>("GET", objectPath(resource, namespace, name));
  }

  /** Like get, but a missing object is `undefined` instead of an error. */
  async getIfExists<T extends KubeObject>(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.get<T>(resource, namespace, name);
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async list<T extends KubeObject>(resource: ResourceRef, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.request<KubeList<T>>("GET", collectionPath(resource, options.namespace), {
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.limit,
        continue: options.continueToken,
        resourceVersion: options.resourceVersion,
      },
    });
  }

  async create<T extends KubeObject>(
    resource: ResourceRef,
    object: T,
    options: { fieldManager?: string } = {},
  ): Promise<T> {
    return this.request<T>("POST", collectionPath(resource, object.metadata?.namespace), {
      body: object,
      query: { fieldManager: options.fieldManager },
    });
  }

  /** PUT: fails with 409 when metadata.resourceVersion is set and stale. */
  async replace<T extends KubeObject>(
    resource: ResourceRef,
    object: T,
    options: { subresource?: string; fieldManager?: string } = {},
  ): Promise<T> {
    const name = object.metadata?.name;
    if (!name) throw new Error("replace needs metadata.name");
    return this.request<T>(
      "PUT",
      objectPath(resource, object.metadata?.namespace, name, options.subresource),
      {
        body: object,
        query: { fieldManager: options.fieldManager },
      },
    );
  }

  async patch<T extends KubeObject>(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options: PatchOptions,
  ): Promise<T> {
    if (options.type === "apply" && !options.fieldManager)
      throw new Error("server-side apply needs a fieldManager");
    return this.request<T>("PATCH", objectPath(resource, namespace, name, options.subresource), {
      body: patch,
      contentType: patchContentTypes[options.type],
      query: {
        fieldManager: options.fieldManager,
        force: options.type === "apply" ? options.force : undefined,
      },
    });
  }

  async delete(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
    options: { propagationPolicy?: "Foreground" | "Background" | "Orphan" } = {},
  ): Promise<void> {
    const body = options.propagationPolicy
      ? { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: options.propagationPolicy }
      : undefined;
    await this.request<unknown>("DELETE", objectPath(resource, namespace, name), { body });
  }

  async request<T>(method: string, path: string, options: KubeRequestOptions = {}): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    const url = new URL(cluster.server.replace(/\/$/, "") + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const requestOptions: https.RequestOptions = { method, headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    const headers = requestOptions.headers as http.OutgoingHttpHeaders;
    headers.Accept = "application/json";
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers["Content-Type"] = options.contentType ?? "application/json";
      headers["Content-Length"] = Buffer.byteLength(payload);
    }
    const isHttps = url.protocol === "https:";
    requestOptions.agent = isHttps ? this.sharedAgent(requestOptions) : undefined;
    const send = isHttps ? https.request : http.request;

    const { statusCode, body } = await new Promise<{ statusCode: number; body: string }>(
      (resolve, reject) => {
        const req = send(
          url,
          { ...requestOptions, timeout: this.requestTimeoutMs, signal: options.signal },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () =>
              resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
            );
            res.on("error", reject);
          },
        );
        req.on("timeout", () =>
          req.destroy(new Error(`${method} ${path}: no answer within ${this.requestTimeoutMs} ms`)),
        );
        req.on("error", reject);
        req.end(payload);
      },
    );

    if (statusCode >= 200 && statusCode < 300) return (body ? JSON.parse(body) : undefined) as T;
    throw toApiError(statusCode, body, method, path, url.searchParams);
  }

  /** Closes idle keep-alive connections so the process can exit. */
  close(): void {
    this.agent?.agent.destroy();
    this.agent = undefined;
  }

  /**
   * @kubernetes/client-node builds a fresh https.Agent for every call, which costs a TLS handshake per
   * request. The agent only depends on the TLS material, so keep one keep-alive agent until that changes.
   */
  private sharedAgent(options: https.RequestOptions): https.Agent {
    const tls = {
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.rejectUnauthorized,
      servername: options.servername,
    };
    const key = createHash("sha256").update(JSON.stringify(tls)).digest("hex");
    if (this.agent?.key !== key) {
      this.agent?.agent.destroy();
      this.agent = { key, agent: new https.Agent({ ...tls, keepAlive: true }) };
    }
    return this.agent.agent;
  }
}

function toApiError(
  statusCode: number,
  body: string,
  method: string,
  path: string,
  query: URLSearchParams,
): KubeApiError {
  let reason = "";
  let message = body.slice(0, 500);
  try {
    const status = JSON.parse(body) as { reason?: string; message?: string };
    reason = status.reason ?? "";
    message = status.message ?? message;
  } catch {
    // Not a Status object (a proxy in between, an HTML error page): keep the start of the body.
  }
  if (statusCode === 403) {
    // Said first, in RBAC's words, so a missing verb in a Role reads as such (kubectl auth can-i's terms). The
    // server's own words win: a server-side apply that would create the object is refused as create, not patch.
    const asked = requestAttributes(method, path, query);
    const denied = /cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?/.exec(message);
    const permission = denied
      ? describePermission(denied[1]!, denied[3] ?? "", denied[2]!)
      : asked && describePermission(asked.verb, asked.apiGroup, asked.resource);
    if (permission)
      message = `RBAC does not allow ${permission}${asked?.namespace ? ` in namespace ${asked.namespace}` : ""} to this identity: ${message}`;
  }
  return new KubeApiError(statusCode, reason, message, method, path);
}
