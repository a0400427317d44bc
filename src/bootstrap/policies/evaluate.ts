import type { ObjectTemplate } from "../../api/index.js";
import type { KubeObject } from "../../runtime/resource.js";
import { objectName } from "./templates.js";

/** What `enforce` does about one template on one cluster; `inform` only reports it. */
export type EnforceAction = "none" | "create" | "update" | "delete";

export interface Evaluation {
  compliant: boolean;
  /** Which object, and how it violates (or meets) the template: "ConfigMap baseline/settings: data.level is ...". */
  message: string;
  action: EnforceAction;
}

type Json = unknown;

/** Fields the API server owns or fills: never compared. */
const SERVER_METADATA = new Set([
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "ownerReferences",
  "finalizers",
]);

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: Json): string {
  const text = JSON.stringify(value) ?? "absent";
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * musthave: every field of `desired` is in `observed`. Objects recurse; a list is contained when each desired
 * item is contained in some observed item (OCM merges lists rather than replacing them). Returns the first path
 * that differs, or undefined.
 */
function containsAt(desired: Json, observed: Json, path: string): string | undefined {
  if (isObject(desired)) {
    if (!isObject(observed)) return `${path || "object"} is ${show(observed)}, wants an object`;
    for (const [key, value] of Object.entries(desired)) {
      const difference = containsAt(value, observed[key], path ? `${path}.${key}` : key);
      if (difference) return difference;
    }
    return undefined;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed)) return `${path} is ${show(observed)}, wants a list`;
    for (const item of desired) {
      if (!observed.some((candidate) => containsAt(item, candidate, path) === undefined))
        return `${path} lacks ${show(item)}`;
    }
    return undefined;
  }
  return sameScalar(desired, observed) ? undefined : `${path} is ${show(observed)}, wants ${show(desired)}`;
}

/** mustonlyhave: exactly equal; lists have the same items in any order. */
function equalsAt(desired: Json, observed: Json, path: string): string | undefined {
  if (isObject(desired)) {
    if (!isObject(observed)) return `${path} is ${show(observed)}, wants an object`;
    const extra = Object.keys(observed).find((key) => !(key in desired));
    if (extra !== undefined) return `${path}.${extra} is set (${show(observed[extra])}) but must not be`;
    for (const [key, value] of Object.entries(desired)) {
      const difference = equalsAt(value, observed[key], `${path}.${key}`);
      if (difference) return difference;
    }
    return undefined;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed) || observed.length !== desired.length)
      return `${path} is ${show(observed)}, wants exactly ${show(desired)}`;
    const unmatched = [...observed];
    for (const item of desired) {
      const at = unmatched.findIndex((candidate) => equalsAt(item, candidate, path) === undefined);
      if (at < 0) return `${path} is ${show(observed)}, wants exactly ${show(desired)}`;
      unmatched.splice(at, 1);
    }
    return undefined;
  }
  return sameScalar(desired, observed) ? undefined : `${path} is ${show(observed)}, wants ${show(desired)}`;
}

/** The API server returns numbers where a template may say "1" (and the other way round), as OCM tolerates. */
function sameScalar(desired: Json, observed: Json): boolean {
  if (desired === observed) return true;
  if (typeof desired === "number" || typeof observed === "number")
    return String(desired) === String(observed);
  return false;
}

/** The metadata fields a template may ask for: labels and annotations, compared as musthave in every mode. */
function metadataDifference(desired: KubeObject, observed: KubeObject): string | undefined {
  const wanted = Object.fromEntries(
    Object.entries(desired.metadata ?? {}).filter(
      ([key]) => !SERVER_METADATA.has(key) && key !== "name" && key !== "namespace",
    ),
  );
  return containsAt(wanted, observed.metadata ?? {}, "metadata");
}

function bodyOf(object: KubeObject): Record<string, Json> {
  const { apiVersion: _a, kind: _k, metadata: _m, ...body } = object as Record<string, Json>;
  return body;
}

function differenceFor(template: ObjectTemplate, observed: KubeObject): string | undefined {
  const desired = template.objectDefinition as KubeObject;
  const metadata = metadataDifference(desired, observed);
  if (metadata) return metadata;
  const wanted = bodyOf(desired);
  const has = bodyOf(observed);
  if (template.complianceType !== "mustonlyhave") return containsAt(wanted, has, "");
  // mustonlyhave: each top-level field the template names holds exactly what it says; fields it does not name
  // (status, fields the server defaults elsewhere) are left alone, as OCM does.
  for (const [key, value] of Object.entries(wanted)) {
    const difference = equalsAt(value, has[key], key);
    if (difference) return difference;
  }
  return undefined;
}

/**
 * OCM ConfigurationPolicy semantics for one named object on one cluster: `observed` is the object as the
 * cluster's API returns it, undefined when it does not exist.
 *
 * - musthave: the object exists and contains every field of the template (lists contained, not replaced);
 * - mustonlyhave: it exists and each top-level field the template names is exactly as given;
 * - mustnothave: no object of that kind and name exists (a named object is a violation whatever its fields).
 *
 * Labels and annotations are compared as musthave in every mode: the API server and other controllers add
 * their own (a Namespace always carries kubernetes.io/metadata.name).
 */
export function evaluate(template: ObjectTemplate, observed: KubeObject | undefined): Evaluation {
  const name = objectName(template.objectDefinition);
  if (template.complianceType === "mustnothave") {
    if (observed?.metadata?.deletionTimestamp)
      return { compliant: true, message: `${name} is being deleted, as required`, action: "none" };
    return observed
      ? { compliant: false, message: `${name} exists but must not`, action: "delete" }
      : { compliant: true, message: `${name} does not exist, as required`, action: "none" };
  }
  if (!observed) return { compliant: false, message: `${name} is missing`, action: "create" };
  let difference = differenceFor(template, observed);
  // A Secret's values never reach a message (status, job result, log).
  if (difference && template.objectDefinition.kind === "Secret")
    difference = `${difference.split(" ")[0]} differs from the template (a Secret's values are not shown)`;
  return difference
    ? { compliant: false, message: `${name}: ${difference}`, action: "update" }
    : { compliant: true, message: `${name} is as required`, action: "none" };
}
