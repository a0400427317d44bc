import type { ObjectTemplate } from "../../api/index.js";
import { KubeApiError } from "../../errors/index.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { scrubSecrets } from "../../runtime/redaction.js";
import { objectPath, type KubeObject, type ResourceRef } from "../../runtime/resource.js";
import type { DryRun } from "./evaluate.js";
import { BOOTSTRAP_FIELD_MANAGER } from "./job.js";

/** Where the template's object lives on the cluster, and the template with its namespace filled in. */
export interface ObjectTarget {
  resource: ResourceRef;
  namespace: string | undefined;
  name: string;
  body: KubeObject;
}

/**
 * Fields the API accepts but never stores, and the field it stores them in. A mustonlyhave template that names
 * one (and not its target) replaces the target, so "only these keys" holds for what is stored. Core Kubernetes
 * has this one; the rest of what the server rewrites (quantities, int-or-string, defaults, merged lists) stays
 * in the field it was written to, and the dry run shows it.
 */
const WRITE_ONLY_FIELDS: Record<string, Record<string, string>> = {
  "v1/Secret": { stringData: "data" },
};

/**
 * Enforce's write of `template` onto the cluster, or its dry run (`dryRun`: the API server runs admission,
 * defaulting and validation and answers with what it would store, storing nothing).
 *
 * musthave, or no object yet: server-side apply under Slipway's field manager, which sets what the template says
 * and leaves the rest. mustonlyhave: the named top-level fields are replaced whole (a PUT of the object as it is,
 * with those fields exactly as given), since apply never removes what another manager set.
 */
export function writeObject(
  spoke: KubeClient,
  target: ObjectTarget,
  observed: KubeObject | undefined,
  template: ObjectTemplate,
  options: { dryRun?: boolean } = {},
): Promise<KubeObject> {
  const { resource, namespace, name, body } = target;
  const dryRun = options.dryRun ? "All" : undefined;
  const sent =
    template.complianceType === "mustonlyhave" && observed
      ? spoke.request<KubeObject>("PUT", objectPath(resource, namespace, name), {
          body: replacement(body, observed, { conditional: !options.dryRun }),
          query: { fieldManager: BOOTSTRAP_FIELD_MANAGER, dryRun },
        })
      : spoke.request<KubeObject>("PATCH", objectPath(resource, namespace, name), {
          body,
          contentType: "application/apply-patch+yaml",
          query: { fieldManager: BOOTSTRAP_FIELD_MANAGER, force: true, dryRun },
        });
  return sent.catch((error: unknown) => {
    throw body.kind === "Secret" ? withoutSecretValues(error, [body, observed]) : error;
  });
}

/**
 * The API's words about a Secret may quote a value ("expected string, got ...{Value:12345}"): every value of the
 * template and of the existing Secret, as written and in base64 both ways, is taken out before they go further.
 */
function withoutSecretValues(error: unknown, secrets: (KubeObject | undefined)[]): unknown {
  if (!(error instanceof KubeApiError)) return error;
  const values = new Set<string>();
  for (const secret of secrets) {
    for (const field of ["data", "stringData"]) {
      const map = (secret as Record<string, unknown> | undefined)?.[field];
      for (const value of Object.values(typeof map === "object" && map !== null ? map : {})) {
        const text = typeof value === "string" ? value : JSON.stringify(value);
        values.add(text);
        values.add(Buffer.from(text).toString("base64"));
        values.add(Buffer.from(text, "base64").toString("utf8"));
      }
    }
  }
  const known = [...values].sort((a, b) => b.length - a.length);
  const { statusCode, reason, serverMessage, method, path } = error;
  return new KubeApiError(statusCode, reason, scrubSecrets(serverMessage, known), method, path);
}

/**
 * The object as it is, its labels and annotations merged with the template's, the named fields replaced.
 * `conditional`: the write carries the resourceVersion read, so a change made since (another manager's, or a
 * controller's status update) is a 409 and the job retries from a fresh read. The dry run is unconditional: it
 * only asks what the server would store, and a status update in between must not make it fail.
 */
function replacement(
  body: KubeObject,
  observed: KubeObject,
  { conditional }: { conditional: boolean },
): KubeObject {
  const { apiVersion: _a, kind: _k, metadata, ...fields } = body as Record<string, unknown>;
  const { labels, annotations } = (metadata ?? {}) as KubeObject["metadata"] & object;
  const writeOnly = WRITE_ONLY_FIELDS[`${body.apiVersion}/${body.kind}`] ?? {};
  const replaced = { ...observed } as Record<string, unknown>;
  for (const [field, target] of Object.entries(writeOnly))
    if (field in fields && !(target in fields)) delete replaced[target];
  const { resourceVersion, ...identity } = observed.metadata ?? {};
  return {
    ...replaced,
    ...fields,
    metadata: {
      ...identity,
      ...(conditional && resourceVersion !== undefined ? { resourceVersion } : {}),
      labels: { ...observed.metadata?.labels, ...labels },
      annotations: { ...observed.metadata?.annotations, ...annotations },
    },
  } as KubeObject;
}

/**
 * Asks the cluster what enforce's write would store. A template the API cannot store (invalid, a string where a
 * number goes) is refused here as it would be by the write: the error propagates (refusedByApi names it). A kind
 * the API cannot dry-run (no server-side apply, no dry run, no permission to patch) is `unavailable`, and the
 * template is compared as written. A conflict, an object deleted meanwhile, or an unreachable API: the error
 * propagates and the job retries.
 */
export async function dryRunWrite(
  spoke: KubeClient,
  target: ObjectTarget,
  observed: KubeObject,
  template: ObjectTemplate,
): Promise<DryRun> {
  try {
    return { stored: await writeObject(spoke, target, observed, template, { dryRun: true }) };
  } catch (error) {
    const unavailable = dryRunUnavailable(error);
    if (unavailable === undefined) throw error;
    return { unavailable };
  }
}

function dryRunUnavailable(error: unknown): string | undefined {
  if (!(error instanceof KubeApiError)) return undefined;
  const { statusCode, serverMessage } = error;
  const cannotDryRun = statusCode === 400 && /dry.?run/i.test(serverMessage);
  const cannot = [403, 405, 406, 415].includes(statusCode) || cannotDryRun;
  return cannot ? `${statusCode} ${error.reason || "Refused"}: ${serverMessage}` : undefined;
}
