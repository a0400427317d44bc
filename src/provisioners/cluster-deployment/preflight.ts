/**
 * Before any job: the platform runs in this build, the program accepts the spec, the credentials Secret holds
 * what the platform needs and its provider plugins are installed. Each failure stalls the cluster with its reason
 * and what to change, and no job runs, so nothing is created.
 */
import { secretResource } from "../../api/resources.js";
import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { TerminalError } from "../../errors/index.js";
import { InvalidSpecError, platformFor, platformName, type PlatformAdapter } from "./platform.js";
import { checkProviderPlugins } from "./provider-plugins.js";
import type { ClusterDeploymentScope } from "./scope.js";

/** How often a cluster waiting for its credentials Secret looks again: nothing watches that Secret. */
const CREDENTIALS_RETRY_MS = 10_000;

/** The platform's adapter once every check passes; throws TerminalError (Stalled) otherwise. */
export async function preflight(scope: ClusterDeploymentScope): Promise<PlatformAdapter> {
  const { cd, deps } = scope;
  const adapter = platformFor(cd);
  if (!adapter) {
    throw new TerminalError(
      Reason.UnsupportedPlatform,
      `platform "${platformName(cd)}" has no stack in this build of Slipway`,
    );
  }
  try {
    adapter.validate(cd, deps.config);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    throw new TerminalError(err.reason, err.message);
  }
  checkProviderPlugins(scope, adapter.name);
  const credentials = adapter.credentialsSecretName(cd);
  const secret =
    credentials && (await deps.kube.getIfExists(secretResource, cd.metadata!.namespace, credentials));
  if (credentials && !secret) {
    throw new TerminalError(
      Reason.CredentialsSecretMissing,
      `Secret ${cd.metadata!.namespace}/${credentials} named by the platform's credentialsRef does not exist: create it`,
      { requeueAfterMs: CREDENTIALS_RETRY_MS },
    );
  }
  const missingKeys = secret ? adapter.missingCredentialKeys(secret) : [];
  if (missingKeys.length > 0) {
    throw new TerminalError(
      Reason.CredentialsKeysMissing,
      `Secret ${cd.metadata!.namespace}/${credentials} lacks ${missingKeys.join(", ")}: add them to it`,
      { requeueAfterMs: CREDENTIALS_RETRY_MS },
    );
  }
  return adapter;
}
