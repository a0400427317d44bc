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

/** Condition types in status.conditions that `fieldManager` applied (conditions is a map keyed by type). */
export function appliedConditionTypes(object: KubeObject, fieldManager: string): Set<string> {
  const types = new Set<string>();
  for (const entry of (object.metadata as { managedFields?: ManagedFieldsEntry[] } | undefined)
    ?.managedFields ?? []) {
    if (entry.manager !== fieldManager || entry.operation !== "Apply" || entry.subresource !== "status")
      continue;
    const status = entry.fieldsV1?.["f:status"] as Record<string, unknown> | undefined;
    const conditions = status?.["f:conditions"];
    if (!conditions || typeof conditions !== "object") continue;
    for (const key of Object.keys(conditions)) {
      if (!key.startsWith("k:")) continue;
      try {
        const type = (JSON.parse(key.slice(2)) as { type?: unknown }).type;
        if (typeof type === "string") types.add(type);
      } catch {
        // not a key of ours to read
      }
    }
  }
  return types;
}

type Keyed = { type?: unknown };

/**
 * Whether applying these conditions would change the object. conditions is a map keyed by type: other managers'
 * entries stay whatever this manager sends, so only the types sent are compared, plus any type this manager
 * applied before and no longer sends (server-side apply would remove it).
 */
function conditionsNeedWrite(object: KubeObject, desired: unknown, current: unknown, fieldManager: string) {
  if (!Array.isArray(desired)) return canonicalJson(desired) !== canonicalJson(current);
  const existing = new Map(((current as Keyed[] | undefined) ?? []).map((c) => [c.type, c]));
  const sent = new Set((desired as Keyed[]).map((c) => c.type));
  if ((desired as Keyed[]).some((c) => canonicalJson(c) !== canonicalJson(existing.get(c.type)))) return true;
  for (const type of appliedConditionTypes(object, fieldManager)) if (!sent.has(type)) return true;
  return false;
}

/**
 * Whether applying `desired` would change the object: some owned field differs, or a field this manager applied
 * before is no longer in `desired` (server-side apply would remove it).
 */
export function statusNeedsWrite(object: KubeObject, desired: OwnedStatus, fieldManager: string): boolean {
  const current = ((object as { status?: Record<string, unknown> }).status ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(desired)) {
    if (value === undefined) continue;
    if (key === "conditions") {
      if (conditionsNeedWrite(object, value, current[key], fieldManager)) return true;
    } else if (canonicalJson(value) !== canonicalJson(current[key])) return true;
  }
  for (const owned of appliedStatusFields(object, fieldManager)) {
    if (desired[owned] === undefined) return true;
  }
  return false;
}

export function withoutUndefined(status: OwnedStatus): OwnedStatus {
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
}
