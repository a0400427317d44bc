import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClusterDeployment } from "../../src/api/index.js";
import { secretResource } from "../../src/api/resources.js";
import { kubectl, type KubectlResult } from "../../src/local/kubectl.js";
import type { KubeClient } from "../../src/runtime/kube-client.js";
import { toolsBinDir } from "../../src/runtime/paths.js";
import type { KubeObject } from "../../src/runtime/resource.js";

/**
 * kubectl against a running cluster, as its admin: the kubeconfig Secret the ClusterDeployment names is written
 * to `<dir>/<name>.kubeconfig`. Each call is bounded by `--request-timeout=5s`.
 */
export async function spokeKubectl(
  hub: KubeClient,
  cd: ClusterDeployment,
  dir: string,
): Promise<(args: string[]) => Promise<KubectlResult>> {
  const secret = await hub.get<KubeObject & { data?: Record<string, string> }>(
    secretResource,
    cd.metadata.namespace,
    cd.status!.adminKubeconfigSecretRef!.name,
  );
  const file = join(dir, `${cd.metadata.name}.kubeconfig`);
  await writeFile(file, Buffer.from(secret.data!.kubeconfig!, "base64"), { mode: 0o600 });
  return (args) => kubectl(toolsBinDir, file, ["--request-timeout=5s", ...args]);
}
