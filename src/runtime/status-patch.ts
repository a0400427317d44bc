import type { KubeObject } from "./resource.js";

/** The status fields a controller owns, as one plain JSON object. `undefined` values are dropped. */
export type OwnedStatus = Record<string, unknown>;

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

/** Top-level status fields that `fieldManager` owns through server-side apply on the status subresource. */
export function appliedStatusFields(object: KubeObject, fieldManager: string): Set<string> {
  const entries = (
    (object.metadata as { managedFields?: ManagedFieldsEntry[] } | undefined)?.managedFields ?? []
  ).filter((e) => e.manager === fieldManager && e.operation === "Apply" && e.subresource === "status");
  const fields = new Set<string>();
  for (const entry of entries) {
    const status = entry.fieldsV1?.["f:status"];
    if (status && typeof status === "object") {
      for (const key of Object.keys(status)) if (key.startsWith("f:")) fields.add(key.slice(2));
    }
  }
  return fields;
}

/** Stable JSON: object keys sorted, `undefined` dropped, so equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
}

/**
 * Whether applying `desired` would change the object: some owned field differs, or a field this manager applied
 * before is no longer in `desired` (server-side apply would remove it).
 */
export function statusNeedsWrite(object: KubeObject, desired: OwnedStatus, fieldManager: string): boolean {
  const current = ((object as { status?: Record<string, unknown> }).status ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(desired)) {
    if (value === undefined) continue;
    if (key === "conditions" && Array.isArray(value)) {
      if (conditionsDiffer(object, value, current[key], fieldManager)) return true;
      continue;
    }
    if (canonicalJson(value) !== canonicalJson(current[key])) return true;
  }
  for (const owned of appliedStatusFields(object, fieldManager)) {
    if (desired[owned] === undefined) return true;
  }
  return false;
}

type TypedEntry = { type?: string };

/**
 * conditions is a map keyed by type (listType=map): a manager owns only the entries it applies, and several
 * controllers write one object's conditions. So compare the entries `desired` has with the stored ones of the
 * same type, and look for types this manager applied before and no longer sends (apply would remove them).
 */
function conditionsDiffer(
  object: KubeObject,
  desired: TypedEntry[],
  current: unknown,
  fieldManager: string,
): boolean {
  const stored = new Map((Array.isArray(current) ? (current as TypedEntry[]) : []).map((c) => [c.type, c]));
  for (const entry of desired) {
    if (canonicalJson(entry) !== canonicalJson(stored.get(entry.type))) return true;
  }
  const sent = new Set(desired.map((c) => c.type));
  for (const type of appliedConditionTypes(object, fieldManager)) if (!sent.has(type)) return true;
  return false;
}

/** Condition types whose entries `fieldManager` owns through server-side apply on the status subresource. */
export function appliedConditionTypes(object: KubeObject, fieldManager: string): Set<string> {
  const types = new Set<string>();
  const entries = (
    (object.metadata as { managedFields?: ManagedFieldsEntry[] } | undefined)?.managedFields ?? []
  ).filter((e) => e.manager === fieldManager && e.operation === "Apply" && e.subresource === "status");
  for (const entry of entries) {
    const status = entry.fieldsV1?.["f:status"] as Record<string, unknown> | undefined;
    const conditions = status?.["f:conditions"];
    if (!conditions || typeof conditions !== "object") continue;
    for (const key of Object.keys(conditions)) {
      const match = /^k:(\{.*\})$/.exec(key);
      if (!match) continue;
      try {
        const type = (JSON.parse(match[1]!) as { type?: string }).type;
        if (type) types.add(type);
      } catch {
        // not a key of this shape
      }
    }
  }
  return types;
}

export function withoutUndefined(status: OwnedStatus): OwnedStatus {
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
}
