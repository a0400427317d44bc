import type { ClusterDeployment } from "../api/index.js";
import { clusterDeploymentResource, secretResource } from "../api/resources.js";
import { loadConfig } from "../runtime/config.js";
import type { KubeObject } from "../runtime/resource.js";
import { hubClient } from "./hub-client.js";

/** Prints the admin kubeconfig of a ClusterDeployment (from the Secret its status references). */
export async function kubeconfigCommand(name: string, options: { namespace: string }): Promise<number> {
  const kube = hubClient(loadConfig());
  const { namespace } = options;
  const cd = await kube.getIfExists<ClusterDeployment>(clusterDeploymentResource, namespace, name);
  if (!cd) {
    console.error(`ClusterDeployment ${namespace}/${name} not found`);
    return 1;
  }
  const secretName = cd.status?.adminKubeconfigSecretRef?.name;
  if (!secretName) {
    console.error(
      `ClusterDeployment ${namespace}/${name} has no kubeconfig yet (power state: ${cd.status?.powerState ?? "unknown"})`,
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
