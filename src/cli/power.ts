import { clusterDeploymentResource } from "../api/resources.js";
import { loadConfig } from "../runtime/config.js";
import { hubClient } from "./hub-client.js";

/** `slipway hibernate|resume NAME`: only writes spec.powerState; the controller does the rest. */
export async function powerCommand(
  powerState: "Hibernating" | "Running",
  name: string,
  options: { namespace: string },
): Promise<number> {
  const kube = hubClient(loadConfig());
  const { namespace } = options;
  await kube.patch(clusterDeploymentResource, namespace, name, { spec: { powerState } }, { type: "merge" });
  console.log(`clusterdeployment ${namespace}/${name}: powerState set to ${powerState}`);
  return 0;
}
