import { CLUSTER_KINDS, clusterResources, type ClusterObject } from "../api/index.js";
import type { KubeClient } from "../runtime/kube-client.js";

/**
 * The ClusterDeployment or HostedCluster of that name, looked for in that order: the commands that take a cluster's
 * name (`slipway kubeconfig`, `hibernate`, `resume`) accept either kind. When neither exists it says so on stderr
 * and returns undefined, and the command exits 1.
 */
export async function findCluster(
  kube: KubeClient,
  namespace: string,
  name: string,
): Promise<ClusterObject | undefined> {
  for (const kind of CLUSTER_KINDS) {
    const found = await kube.getIfExists<ClusterObject>(clusterResources[kind], namespace, name);
    if (found) return found;
  }
  console.error(`no ClusterDeployment or HostedCluster ${namespace}/${name}`);
  return undefined;
}
