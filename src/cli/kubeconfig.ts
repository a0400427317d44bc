import { clusterView } from "../api/index.js";
import { secretResource } from "../api/resources.js";
import { loadConfig } from "../runtime/config.js";
import type { KubeObject } from "../runtime/resource.js";
import { findCluster } from "./find-cluster.js";
import { hubClient } from "./hub-client.js";

/**
 * Prints the admin kubeconfig of a ClusterDeployment or a HostedCluster of that name (from the Secret its status
 * references), looked for in that order.
 */
export async function kubeconfigCommand(name: string, options: { namespace: string }): Promise<number> {
  const kube = hubClient(loadConfig());
  const { namespace } = options;
  const found = await findCluster(kube, namespace, name);
  if (!found) return 1;
  const view = clusterView(found);
  const secretName = view.adminKubeconfigSecretName;
  if (!secretName) {
    console.error(
      `${view.displayName} has no kubeconfig yet (power state: ${view.status.powerState ?? "unknown"})`,
    );
    return 1;
  }
  const secret = await kube.get<KubeObject & { data?: Record<string, string> }>(
    secretResource,
    namespace,
    secretName,
  );
  const data = secret.data?.kubeconfig;
  if (!data) {
    console.error(`Secret ${namespace}/${secretName} has no kubeconfig key`);
    return 1;
  }
  process.stdout.write(Buffer.from(data, "base64").toString("utf8"));
  return 0;
}
