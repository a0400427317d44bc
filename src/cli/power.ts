import { clusterDeploymentResource } from "../api/resources.js";
import { loadConfig } from "../runtime/config.js";
import type { Command } from "./main.js";
import { hubClient, namespaceFlag } from "./hub-client.js";

/** hibernate / resume only write spec.powerState; the controller does the rest. */
function powerCommand(powerState: "Hibernating" | "Running"): Command {
  return async (args, flags) => {
    const name = args[0];
    if (!name) {
      console.error(`usage: slipway ${powerState === "Hibernating" ? "hibernate" : "resume"} NAME [-n NAMESPACE]`);
      return 2;
    }
    const kube = hubClient(loadConfig());
    const namespace = namespaceFlag(flags);
    await kube.patch(clusterDeploymentResource, namespace, name, { spec: { powerState } }, { type: "merge" });
    console.log(`clusterdeployment ${namespace}/${name}: powerState set to ${powerState}`);
    return 0;
  };
}

export const hibernateCommand = powerCommand("Hibernating");
export const resumeCommand = powerCommand("Running");
