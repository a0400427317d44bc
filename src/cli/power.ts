import { clusterView } from "../api/index.js";
import { loadConfig } from "../runtime/config.js";
import { findCluster } from "./find-cluster.js";
import { hubClient } from "./hub-client.js";

/**
 * `slipway hibernate|resume NAME`: only writes spec.powerState of the ClusterDeployment or HostedCluster of that
 * name (looked for in that order, as `slipway kubeconfig` does); the kind's controller does the rest.
 */
export async function powerCommand(
  powerState: "Hibernating" | "Running",
  name: string,
  options: { namespace: string },
): Promise<number> {
  const kube = hubClient(loadConfig());
  const { namespace } = options;
  const found = await findCluster(kube, namespace, name);
  if (!found) return 1;
  const view = clusterView(found);
  await kube.patch(view.resource, namespace, name, { spec: { powerState } }, { type: "merge" });
  console.log(`${view.kind.toLowerCase()} ${namespace}/${name}: powerState set to ${powerState}`);
  return 0;
}
