import type { ObjectTemplate } from "../../api/index.js";
import type { KubeObject } from "../../runtime/resource.js";
import { objectName, SERVER_OWNED_METADATA } from "./templates.js";

/** What `enforce` does about one template on one cluster; `inform` only reports it. */
export type EnforceAction = "none" | "create" | "update" | "delete";

export interface Evaluation {
  compliant: boolean;
  /** Which object, and how it violates (or meets) the template: "ConfigMap baseline/settings: data.level is ...". */
  message: string;
  action: EnforceAction;
}

/**
 * What the cluster's API said to a dry run of enforce's own write of the template onto the existing object:
 * `stored` is the object the API server would store (stringData turned into data, quantities and int-or-string
 * fields in their canonical form, defaults filled in, lists merged by key); `unavailable` says why the API could
 * not dry-run it (a kind without server-side apply or dry run, no permission), and the template is then compared
 * as written.
 */
export type DryRun = { stored: KubeObject } | { unavailable: string };

type Json = unknown;
type Fields = Record<string, Json>;

/** How a field differs from the template; rendered with or without values (a Secret's are never shown). */
interface Difference {
  path: string;
  problem: "differs" | "notObject" | "notList" | "extra" | "lacksItem" | "listDiffers";
  observed?: Json;
  wanted?: Json;
}

function isObject(value: Json): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Items of both lists are objects with a string `name` (containers, env, volumes, named ports): match by name. */
function keyedByName(...lists: Json[][]): boolean {
  return lists.every((list) => list.every((item) => isObject(item) && typeof item.name === "string"));
}

function byName(list: Json[], name: string): Json {
  return list.find((item) => (item as Fields).name === name);
}

/**
 * musthave: every field of `desired` is in `observed`. Objects recurse; a list is contained when each desired
 * item is contained in some observed item (OCM merges lists rather than replacing them), items with a name in the
 * item of that name.
 */
function containsAt(desired: Json, observed: Json, path: string): Difference | undefined {
  if (isObject(desired)) {
    if (!isObject(observed)) return { path: path || "object", problem: "notObject", observed };
    for (const [key, value] of Object.entries(desired)) {
      const difference = containsAt(value, observed[key], join(path, key));
      if (difference) return difference;
    }
    return undefined;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed)) return { path, problem: "notList", observed };
    if (keyedByName(desired, observed)) {
      for (const item of desired as Fields[]) {
        const difference = containsAt(item, byName(observed, item.name as string), `${path}[${item.name}]`);
        if (difference) return difference;
      }
      return undefined;
    }
    for (const item of desired) {
      if (!observed.some((candidate) => containsAt(item, candidate, path) === undefined))
        return { path, problem: "lacksItem", wanted: item };
    }
    return undefined;
  }
  return sameScalar(desired, observed) ? undefined : { path, problem: "differs", observed, wanted: desired };
}

/** mustonlyhave: exactly equal; lists have the same items in any order (items with a name, by name). */
function equalsAt(desired: Json, observed: Json, path: string): Difference | undefined {
  if (isObject(desired)) {
    if (!isObject(observed)) return { path, problem: "notObject", observed };
    const extra = Object.keys(observed).find((key) => !(key in desired));
    if (extra !== undefined) return { path: join(path, extra), problem: "extra", observed: observed[extra] };
    for (const [key, value] of Object.entries(desired)) {
      const difference = equalsAt(value, observed[key], join(path, key));
      if (difference) return difference;
    }
    return undefined;
  }
  if (Array.isArray(desired)) {
    const listDiffers: Difference = { path, problem: "listDiffers", observed, wanted: desired };
    if (Array.isArray(observed) && keyedByName(desired, observed)) {
      for (const item of desired as Fields[]) {
        const difference = equalsAt(item, byName(observed, item.name as string), `${path}[${item.name}]`);
        if (difference) return difference;
      }
      const extra = (observed as Fields[]).find((item) => byName(desired, item.name as string) === undefined);
      return extra && { path: `${path}[${extra.name}]`, problem: "extra", observed: extra };
    }
    if (!Array.isArray(observed) || observed.length !== desired.length) return listDiffers;
    const unmatched = [...observed];
    for (const item of desired) {
      const at = unmatched.findIndex((candidate) => equalsAt(item, candidate, path) === undefined);
      if (at < 0) return listDiffers;
      unmatched.splice(at, 1);
    }
    return undefined;
  }
  return sameScalar(desired, observed) ? undefined : { path, problem: "differs", observed, wanted: desired };
}

/** As written, a template may say "1" where the API returns 1 (and the other way round), as OCM tolerates. */
function sameScalar(desired: Json, observed: Json): boolean {
  if (desired === observed) return true;
  if (typeof desired === "number" || typeof observed === "number")
    return String(desired) === String(observed);
  return false;
}

function show(value: Json): string {
  const text = JSON.stringify(value) ?? "absent";
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** With values, for every kind but Secrets. */
function describe(d: Difference): string {
  switch (d.problem) {
    case "differs":
      return `${d.path} is ${show(d.observed)}, wants ${show(d.wanted)}`;
    case "notObject":
      return `${d.path} is ${show(d.observed)}, wants an object`;
    case "notList":
      return `${d.path} is ${show(d.observed)}, wants a list`;
    case "extra":
      return `${d.path} is set (${show(d.observed)}) but must not be`;
    case "lacksItem":
      return `${d.path} lacks ${show(d.wanted)}`;
    case "listDiffers":
      return `${d.path} is ${show(d.observed)}, wants exactly ${show(d.wanted)}`;
  }
}

/**
 * A Secret's keys and field paths, never a value: not the template's, not the cluster's, not their base64, not
 * the name of a list item (a path segment in brackets comes from a value).
 */
function describeWithoutValues(d: Difference): string {
  const path = d.path.replace(/\[[^\]]*\]/g, "[]");
  const what =
    d.observed === undefined && d.problem !== "lacksItem" && d.problem !== "extra"
      ? "is missing"
      : {
          differs: "differs from the template",
          notObject: "differs from the template",
          notList: "differs from the template",
          extra: "is set but must not be",
          lacksItem: "lacks an item of the template",
          listDiffers: "differs from the template",
        }[d.problem];
  return `${path} ${what} (values of a Secret are not shown)`;
}

/** Metadata never compared: what the server owns, and what other controllers fill in (owners, finalizers). */
const UNCOMPARED_METADATA = new Set([...SERVER_OWNED_METADATA, "ownerReferences", "finalizers"]);

function bodyOf(object: KubeObject): Fields {
  const { apiVersion: _a, kind: _k, metadata: _m, ...body } = object as Fields;
  return body;
}

/** The labels and annotations a template names, taken from `source` (the template, or what the server stores). */
function namedMetadata(template: KubeObject, source: KubeObject): Fields {
  const wanted: Fields = {};
  for (const [key, value] of Object.entries(template.metadata ?? {})) {
    if (UNCOMPARED_METADATA.has(key)) continue;
    const stored = (source.metadata as Fields | undefined)?.[key];
    if (!isObject(value) || !isObject(stored)) {
      wanted[key] = stored ?? value;
      continue;
    }
    wanted[key] = Object.fromEntries(Object.keys(value).map((k) => [k, stored[k] ?? value[k]]));
  }
  return wanted;
}

/**
 * What to hold the existing object to. Without a dry run: the template as written. With one: what the server
 * would store, for the top-level fields the template names; when it names a field the server never stores
 * (a Secret's stringData lands in data), every top-level field of the stored object but status, since the
 * written field went somewhere and only the server knows where. Labels and annotations: the ones the template
 * names.
 */
function wantedFields(
  template: KubeObject,
  stored: KubeObject | undefined,
): { metadata: Fields; body: Fields } {
  if (!stored) return { metadata: namedMetadata(template, template), body: bodyOf(template) };
  const named = Object.keys(bodyOf(template));
  const storedBody = bodyOf(stored);
  const keys = named.every((key) => key in storedBody)
    ? named
    : Object.keys(storedBody).filter((key) => key !== "status");
  return {
    metadata: namedMetadata(template, stored),
    body: Object.fromEntries(keys.map((key) => [key, storedBody[key]])),
  };
}

/**
 * Labels and annotations as musthave in every mode (the API server and other controllers add their own: a
 * Namespace always carries kubernetes.io/metadata.name); then musthave: contained, mustonlyhave: each top-level
 * field exactly (fields it does not name, status and the ones the server defaults elsewhere, are left alone, as
 * OCM does).
 */
function differenceFor(
  template: ObjectTemplate,
  observed: KubeObject,
  stored: KubeObject | undefined,
): Difference | undefined {
  const wanted = wantedFields(template.objectDefinition as KubeObject, stored);
  const metadata = containsAt(wanted.metadata, observed.metadata ?? {}, "metadata");
  if (metadata) return metadata;
  const has = bodyOf(observed);
  if (template.complianceType !== "mustonlyhave") return containsAt(wanted.body, has, "");
  for (const [key, value] of Object.entries(wanted.body)) {
    const difference = equalsAt(value, has[key], key);
    if (difference) return difference;
  }
  return undefined;
}

/**
 * OCM ConfigurationPolicy semantics for one named object on one cluster: `observed` is the object as the
 * cluster's API returns it, undefined when it does not exist; `dryRun` is what the API said to a dry run of
 * enforce's write of the template onto it (as OCM's config-policy-controller compares a dry-run update with the
 * existing object), so a field the server normalises or defaults compares as the server stores it.
 *
 * - musthave: the object exists and contains every field of the template (lists contained, not replaced);
 * - mustonlyhave: it exists and each top-level field the template names is exactly as given;
 * - mustnothave: no object of that kind and name exists (a named object is a violation whatever its fields).
 *
 * A Secret's message names keys and field paths, never a value.
 */
export function evaluate(
  template: ObjectTemplate,
  observed: KubeObject | undefined,
  dryRun?: DryRun,
): Evaluation {
  const name = objectName(template.objectDefinition);
  if (template.complianceType === "mustnothave") {
    if (observed?.metadata?.deletionTimestamp)
      return { compliant: true, message: `${name} is being deleted, as required`, action: "none" };
    return observed
      ? { compliant: false, message: `${name} exists but must not`, action: "delete" }
      : { compliant: true, message: `${name} does not exist, as required`, action: "none" };
  }
  if (!observed) return { compliant: false, message: `${name} is missing`, action: "create" };
  const stored = dryRun && "stored" in dryRun ? dryRun.stored : undefined;
  const difference = differenceFor(template, observed, stored);
  if (!difference) {
    // Say so when the template as written would not have matched: the server rewrote what it says.
    const normalised = stored !== undefined && differenceFor(template, observed, undefined) !== undefined;
    const how = normalised ? " (as the API server stores the template)" : "";
    return { compliant: true, message: `${name} is as required${how}`, action: "none" };
  }
  const text =
    template.objectDefinition.kind === "Secret" ? describeWithoutValues(difference) : describe(difference);
  const asWritten =
    dryRun && "unavailable" in dryRun
      ? ` (compared with the template as written: the cluster's API could not dry-run it: ${dryRun.unavailable})`
      : "";
  return { compliant: false, message: `${name}: ${text}${asWritten}`, action: "update" };
}
