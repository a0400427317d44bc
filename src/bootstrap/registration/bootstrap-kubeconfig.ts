import { readFileSync } from "node:fs";
import { renderKubeconfig } from "../../api/kubeconfig.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { BOOTSTRAP_SERVICE_ACCOUNT } from "./names.js";

/**
 * The bootstrap token lives a day: the agent needs it only until it holds its client certificate (about a
 * second), and every register job (each resume) issues a fresh one.
 */
export const BOOTSTRAP_TOKEN_SECONDS = 24 * 3600;

/** The hub as the agent must reach it: URL and CA, from the worker's hub kubeconfig unless configured. */
export function hubEndpoint(hub: KubeClient, hubURL?: string): { server: string; caData: string } {
  const cluster = hub.kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the hub kubeconfig has no current cluster");
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString("base64") : "");
  return { server: hubURL ?? cluster.server, caData };
}

/** A token of the cluster's own bootstrap ServiceAccount (TokenRequest). Never logged, never in a job or status. */
export async function bootstrapToken(hub: KubeClient, clusterName: string): Promise<string> {
  const answer = await hub.request<{ status?: { token?: string } }>(
    "POST",
    `/api/v1/namespaces/${clusterName}/serviceaccounts/${BOOTSTRAP_SERVICE_ACCOUNT}/token`,
    {
      body: {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: BOOTSTRAP_TOKEN_SECONDS },
      },
    },
  );
  const token = answer.status?.token;
  if (!token) throw new Error(`the hub issued no token for the bootstrap identity of ${clusterName}`);
  return token;
}

/** The kubeconfig OCM's agent bootstraps with (Secret bootstrap-hub-kubeconfig, key kubeconfig). */
export function bootstrapKubeconfig(endpoint: { server: string; caData: string }, token: string): string {
  return renderKubeconfig({
    cluster: "hub",
    server: endpoint.server,
    caData: endpoint.caData || undefined,
    user: "bootstrap",
    context: "bootstrap",
    credentials: { token },
  });
}
