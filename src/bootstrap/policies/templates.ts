import type { EmbeddedResource } from "../../api/schema.js";
import {
  MAX_OBJECT_TEMPLATE_BYTES,
  MAX_OBJECT_TEMPLATES_BYTES,
  type ObjectTemplate,
} from "../../api/index.js";
import { BootstrapPolicyReason as Reason } from "../../api/reasons.js";

/** "ConfigMap baseline/settings" or "Namespace baseline": how messages name a template's object. */
export function objectName(object: EmbeddedResource): string {
  const name = object.metadata?.name ?? "<no name>";
  const namespace = object.metadata?.namespace;
  return `${object.kind} ${namespace ? `${namespace}/${name}` : name}`;
}

/** Metadata the API server owns or that names the object: never compared with a template, never "rewritten". */
export const SERVER_OWNED_METADATA: ReadonlySet<string> = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
]);

export interface TemplateProblem {
  reason: typeof Reason.InvalidObjectTemplate | typeof Reason.ObjectTooLarge;
  message: string;
}

/**
 * What admission could not refuse about a policy's templates. apiVersion, kind and metadata.name are checked at
 * admission too (x-kubernetes-embedded-resource and a CEL rule); an object stored before that rule, or a policy
 * written around it, still gets a clear condition. Sizes only the controller can measure: CEL cannot see an
 * embedded object's other fields.
 */
export function templateProblem(templates: readonly ObjectTemplate[]): TemplateProblem | undefined {
  let total = 0;
  for (const [index, template] of templates.entries()) {
    const object = template.objectDefinition;
    const at = `spec.objectTemplates[${index}].objectDefinition`;
    const missing = [
      !object?.apiVersion && "apiVersion",
      !object?.kind && "kind",
      !object?.metadata?.name && "metadata.name",
    ].filter(Boolean);
    if (missing.length)
      return {
        reason: Reason.InvalidObjectTemplate,
        message: `${at} lacks ${missing.join(", ")}: every object needs apiVersion, kind and metadata.name`,
      };
    const bytes = Buffer.byteLength(JSON.stringify(object));
    total += bytes;
    if (bytes > MAX_OBJECT_TEMPLATE_BYTES)
      return {
        reason: Reason.ObjectTooLarge,
        message: `${at} (${objectName(object)}) is ${kib(bytes)} serialized; at most ${kib(MAX_OBJECT_TEMPLATE_BYTES)} is allowed: keep large data out of policies (mount it from a volume, or split the object)`,
      };
  }
  if (total > MAX_OBJECT_TEMPLATES_BYTES)
    return {
      reason: Reason.ObjectTooLarge,
      message: `the object templates are ${kib(total)} serialized in all; at most ${kib(MAX_OBJECT_TEMPLATES_BYTES)} per policy is allowed: split them over several policies`,
    };
  return undefined;
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}
