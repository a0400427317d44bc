import { secretResource } from "../api/resources.js";
import type { KubeClient } from "../runtime/kube-client.js";
import type { KubeObject } from "../runtime/resource.js";

/**
 * The kubeconfig a cluster's or a claim's kubeconfig Secret holds (its `kubeconfig` key), decoded. When the key is
 * missing it says so through `report` and returns undefined, and the command exits 1.
 */
export async function readKubeconfigSecret(
  kube: KubeClient,
  namespace: string,
  secretName: string,
  report: (line: string) => void = (line) => console.error(line),
): Promise<Buffer | undefined> {
  const secret = await kube.get<KubeObject & { data?: Record<string, string> }>(
    secretResource,
    namespace,
    secretName,
  );
  const data = secret.data?.kubeconfig;
  if (data) return Buffer.from(data, "base64");
  report(`Secret ${namespace}/${secretName} has no kubeconfig key`);
  return undefined;
}
