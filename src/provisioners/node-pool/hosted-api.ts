import { KubeConfig } from "@kubernetes/client-node";
import type { HostedCluster } from "../../api/hosted-cluster.js";
import type { KubeObject } from "../../api/object.js";
import { secretResource } from "../../api/resources.js";
import { KubeClient } from "../../runtime/kube-client.js";

type Secret = KubeObject & { data?: Record<string, string> };

/**
 * Clients for hosted clusters' APIs, built from each HostedCluster's admin kubeconfig Secret (status.kubeconfig,
 * key kubeconfig) and kept while the Secret's resourceVersion stays. The kubeconfig lives in memory only; it is
 * never logged, returned or put in a message.
 */
export class HostedApiClients {
  private readonly clients = new Map<string, { version: string; client: KubeClient }>();

  constructor(private readonly hub: KubeClient) {}

  /** Undefined while the HostedCluster names no Secret or the Secret has no kubeconfig yet. */
  async clientFor(cluster: HostedCluster): Promise<KubeClient | undefined> {
    const namespace = cluster.metadata.namespace!;
    const secretName = cluster.status?.kubeconfig?.name;
    if (!secretName) return undefined;
    const secret = await this.hub.getIfExists<Secret>(secretResource, namespace, secretName);
    const encoded = secret?.data?.kubeconfig;
    if (!encoded) return undefined;
    const key = `${namespace}/${secretName}`;
    const version = secret.metadata?.resourceVersion ?? "";
    const cached = this.clients.get(key);
    if (cached?.version === version) return cached.client;
    const config = new KubeConfig();
    config.loadFromString(Buffer.from(encoded, "base64").toString("utf8"));
    const client = new KubeClient(config, { requestTimeoutMs: 15_000 });
    this.clients.set(key, { version, client });
    return client;
  }
}
