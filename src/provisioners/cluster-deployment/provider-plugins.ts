import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import { getCondition, type Condition } from "../../runtime/conditions.js";
import {
  missingPluginsMessage,
  missingProviderPlugins,
  pluginRecheckDelayMs,
  pulumiHomeFor,
} from "../../../stacks/index.js";
import type { ClusterDeploymentScope } from "./scope.js";

/**
 * Before any job: are the platform's Pulumi provider plugins in the workers' Pulumi home (under the state folder
 * the controller shares with its workers)? If not, the cluster stalls at once with ProviderPluginMissing, naming
 * the plugin, its version and how to install it, and is looked at again with capped backoff (10 s, then as long
 * as it has waited, at most 5 minutes) until the plugin is there: no job, so nothing is created. A worker whose
 * own Pulumi home lacks the plugin refuses the run the same way (stacks/index.ts assertProviderPlugins).
 */
export function checkProviderPlugins(scope: ClusterDeploymentScope, platform: string): void {
  const pulumiHome = pulumiHomeFor(scope.deps.config.stateDir);
  const missing = missingProviderPlugins(platform, pulumiHome);
  if (missing.length === 0) return;
  throw new TerminalError(Reason.ProviderPluginMissing, missingPluginsMessage(missing, pulumiHome), {
    requeueAfterMs: pluginRecheckDelayMs(waitedMs(scope)),
  });
}

/** How long the cluster has been stalled on a missing plugin: 0 on the first pass that finds it missing. */
function waitedMs(scope: ClusterDeploymentScope): number {
  const stalled = getCondition(scope.cd.status?.conditions as Condition[] | undefined, "Stalled");
  if (stalled?.status !== "True" || stalled.reason !== Reason.ProviderPluginMissing) return 0;
  return Math.max(0, scope.now.getTime() - Date.parse(stalled.lastTransitionTime ?? ""));
}
