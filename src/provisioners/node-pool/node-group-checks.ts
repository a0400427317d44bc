/**
 * What a cloud pool's run needs before any job, checked by the controller so the pool says at once what is
 * missing and nothing is created meanwhile: the cloud's Pulumi provider plugin in the workers' Pulumi home (as a
 * ClusterDeployment checks it), and the credentials Secret with the keys the cloud reads. Values are never read
 * into a message: only names.
 */
import type { KubeObject } from "../../api/object.js";
import { NodePoolReason as Reason } from "../../api/reasons.js";
import { secretResource } from "../../api/resources.js";
import { TerminalError } from "../../errors/index.js";
import { getCondition, type Condition } from "../../runtime/conditions.js";
import {
  missingPluginsMessage,
  missingProviderPlugins,
  platformDefinition,
  pluginRecheckDelayMs,
  pulumiHomeFor,
} from "../../../stacks/index.js";
import type { NodePoolScope } from "./scope.js";

/** How soon a pool waiting for its credentials Secret looks again (Secrets are not watched). */
const CREDENTIALS_RECHECK_MS = 15_000;

export async function checkNodeGroupPrerequisites(scope: NodePoolScope, platform: string): Promise<void> {
  const pulumiHome = pulumiHomeFor(scope.deps.config.stateDir);
  const missing = missingProviderPlugins(platform, pulumiHome);
  if (missing.length > 0)
    throw new TerminalError(Reason.ProviderPluginMissing, missingPluginsMessage(missing, pulumiHome), {
      requeueAfterMs: pluginRecheckDelayMs(stalledForMs(scope, Reason.ProviderPluginMissing)),
    });
  const namespace = scope.pool.metadata.namespace!;
  const block = (
    scope.pool.spec.platform as Record<string, { credentialsRef?: { name?: string } } | undefined>
  )[platform];
  const ref = block?.credentialsRef?.name;
  const wanted = platformDefinition(platform)?.credentials;
  if (!ref || !wanted) return;
  const secret = await scope.deps.kube.getIfExists<KubeObject & { data?: Record<string, string> }>(
    secretResource,
    namespace,
    ref,
  );
  if (!secret)
    throw new TerminalError(
      Reason.CredentialsSecretMissing,
      `Secret ${namespace}/${ref} (spec.platform.${platform}.credentialsRef) does not exist: create it with ` +
        `the keys ${wanted.keys.join(", ")}; the pool goes on by itself once it is there`,
      { requeueAfterMs: CREDENTIALS_RECHECK_MS },
    );
  const lacking = wanted.keys.filter((key) => secret.data?.[key] === undefined);
  if (lacking.length > 0)
    throw new TerminalError(
      Reason.CredentialsKeysMissing,
      `Secret ${namespace}/${ref} lacks the keys ${lacking.join(", ")}: add them`,
      { requeueAfterMs: CREDENTIALS_RECHECK_MS },
    );
}

/** How long the pool has been stalled for this reason: 0 on the first pass that finds it. */
function stalledForMs(scope: NodePoolScope, reason: string): number {
  const stalled = getCondition(scope.pool.status?.conditions as Condition[] | undefined, "Stalled");
  if (stalled?.status !== "True" || stalled.reason !== reason) return 0;
  return Math.max(0, scope.now.getTime() - Date.parse(stalled.lastTransitionTime ?? ""));
}
