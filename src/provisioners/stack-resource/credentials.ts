import type { KubeObject } from "../../api/object.js";
import { secretResource } from "../../api/resources.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import type { PlatformDefinition } from "../../../stacks/index.js";

type Secret = KubeObject & { data?: Record<string, string> };

/** The Secret named by `spec.platform.<platform>.credentialsRef`, if the platform takes credentials. */
export function credentialsSecretName(
  definition: PlatformDefinition,
  platformSpec: Record<string, unknown>,
): string | undefined {
  if (!definition.credentials) return undefined;
  return (platformSpec.credentialsRef as { name?: string } | undefined)?.name;
}

/** The keys the platform needs that the credentials Secret lacks (names only: they are not secret). */
export function missingCredentialKeys(definition: PlatformDefinition, secret: object): string[] {
  const data = (secret as { data?: Record<string, string> }).data ?? {};
  return (definition.credentials?.keys ?? []).filter((key) => data[key] === undefined);
}

/**
 * The platform's credentials from the Secret the spec names, read by the worker when the job runs (so they are
 * never in its payload) for the runner to hand to the program as Pulumi secret config. Errors name keys, never
 * values, and are retried: the controller checked the Secret before queuing, so it changed since.
 */
export async function readPlatformCredentials(
  kube: KubeClient,
  definition: PlatformDefinition,
  namespace: string,
  platformSpec: Record<string, unknown>,
): Promise<Record<string, string> | undefined> {
  const name = credentialsSecretName(definition, platformSpec);
  if (!name) return undefined;
  const secret = await kube.getIfExists<Secret>(secretResource, namespace, name);
  if (!secret) throw new Error(`CredentialsSecretMissing: Secret ${namespace}/${name} does not exist`);
  const missing = missingCredentialKeys(definition, secret);
  if (missing.length > 0)
    throw new Error(`CredentialsKeysMissing: Secret ${namespace}/${name} lacks ${missing.join(", ")}`);
  const wanted = definition.credentials?.keys ?? [];
  const keys = wanted.length > 0 ? wanted : Object.keys(secret.data ?? {});
  const credentials = Object.fromEntries(
    keys.map((key) => [key, Buffer.from(secret.data![key]!, "base64").toString("utf8")]),
  );
  // Further Secrets the spec names (vsphere's certificatesRef): their keys travel with the credentials.
  for (const also of definition.credentials?.alsoFrom ?? []) {
    const ref = (platformSpec[also.field] as { name?: string } | undefined)?.name;
    if (!ref) continue;
    const other = await kube.getIfExists<Secret>(secretResource, namespace, ref);
    if (!other) throw new Error(`CredentialsSecretMissing: Secret ${namespace}/${ref} does not exist`);
    const lacking = also.keys.filter((key) => other.data?.[key] === undefined);
    if (lacking.length > 0)
      throw new Error(`CredentialsKeysMissing: Secret ${namespace}/${ref} lacks ${lacking.join(", ")}`);
    for (const key of also.keys) credentials[key] = Buffer.from(other.data![key]!, "base64").toString("utf8");
  }
  return credentials;
}
