import { clusterView } from "../api/index.js";
import { loadConfig } from "../runtime/config.js";
import { findCluster } from "./find-cluster.js";
import { hubClient } from "./hub-client.js";
import { readKubeconfigSecret } from "./kubeconfig-secret.js";

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
  const kubeconfig = await readKubeconfigSecret(kube, namespace, secretName);
  if (!kubeconfig) return 1;
  process.stdout.write(kubeconfig.toString("utf8"));
  return 0;
}
