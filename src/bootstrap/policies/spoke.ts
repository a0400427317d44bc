import { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError, TerminalJobError } from "../../errors/index.js";
import { secretResource } from "../../api/resources.js";
import { clusterView, type ClusterObject } from "../../api/index.js";
import { PolicyEvaluationReason as Reason } from "../../api/reasons.js";
import { KubeClient } from "../../runtime/kube-client.js";
import type { KubeObject, ResourceRef } from "../../runtime/resource.js";

/**
 * A client for a cluster's own API, built from its admin kubeconfig Secret on the hub. The kubeconfig lives in
 * memory for the job only; it is never logged, returned or put in a message.
 */
export async function spokeClient(hub: KubeClient, cd: ClusterObject): Promise<KubeClient> {
  const secretName = clusterView(cd).adminKubeconfigSecretName;
  if (!secretName)
    throw new TerminalJobError(Reason.WaitingForCluster, "the cluster has no admin kubeconfig Secret yet");
  const secret = await hub.getIfExists<KubeObject & { data?: Record<string, string> }>(
    secretResource,
    cd.metadata.namespace,
    secretName,
  );
  const encoded = secret?.data?.kubeconfig;
  if (!encoded) throw new Error(`the admin kubeconfig Secret ${secretName} has no kubeconfig key yet`);
  const config = new KubeConfig();
  config.loadFromString(Buffer.from(encoded, "base64").toString("utf8"));
  return new KubeClient(config, { requestTimeoutMs: 15_000 });
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Finds the resource (plural, scope) of a kind on the cluster, as kubectl does, once per group/version per job. */
export class SpokeDiscovery {
  private readonly lists = new Map<string, Promise<ApiResource[] | undefined>>();

  constructor(private readonly client: KubeClient) {}

  /** The resource of `kind` in `apiVersion`; undefined when the cluster's API does not serve it. */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceRef | undefined> {
    let list = this.lists.get(apiVersion);
    if (!list) {
      list = this.fetch(apiVersion);
      this.lists.set(apiVersion, list);
    }
    const found = (await list)?.find((r) => r.kind === kind && !r.name.includes("/"));
    if (!found) return undefined;
    const slash = apiVersion.indexOf("/");
    return {
      group: slash < 0 ? "" : apiVersion.slice(0, slash),
      version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
      plural: found.name,
      kind,
      namespaced: found.namespaced,
    };
  }

  private async fetch(apiVersion: string): Promise<ApiResource[] | undefined> {
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    try {
      const list = await this.client.request<{ resources?: ApiResource[] }>("GET", path);
      return list.resources ?? [];
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
      throw error;
    }
  }
}

/**
 * Server-side apply answers 500 to a template it cannot type against the kind's schema (a string where a number
 * goes: `port: "80"`), though retrying never helps: the template must change.
 */
const UNTYPABLE_APPLY = /failed to create typed patch object/;

/**
 * The cluster's API said no to the object itself (invalid, forbidden, a missing namespace, a field of the wrong
 * type): that template is NonCompliant with the API's words, the others carry on. Anything else (unreachable,
 * 5xx, throttled, a conflict with a concurrent write) may pass: the job is retried.
 */
export function refusedByApi(error: unknown): string | undefined {
  if (!(error instanceof KubeApiError)) return undefined;
  if (error.statusCode === 500 && UNTYPABLE_APPLY.test(error.serverMessage))
    return `the API cannot store the template as written: ${error.serverMessage}`;
  // 409: the object changed between the read and the write (or the dry run); the next attempt reads it again.
  const passes = [401, 409, 429];
  if (error.statusCode >= 500 || passes.includes(error.statusCode)) return undefined;
  return `${error.statusCode} ${error.reason || "Refused"}: ${error.serverMessage}`;
}
