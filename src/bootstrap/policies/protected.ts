/**
 * What a BootstrapPolicy may do to the objects Slipway protects on clusters (src/api/protected-objects.ts: the
 * built-in set, plus the administrator's SLIPWAY_PROTECTED_OBJECTS). Pure decisions:
 *
 * - a template that enforce would use to delete (mustnothave) or rewrite (mustonlyhave) a protected object is
 *   refused: at admission for the built-in set (CEL rules of the CRD), by the controller otherwise (the policy is
 *   Stalled, reason ProtectedObject, and nothing of it is done);
 * - on the cluster, enforce of a musthave template may only add to a protected object (create it, add a label, a
 *   key, a field it lacks); a write that would change a value it has, or replace a list, is not made and the
 *   template is NonCompliant (ProtectedObjectUnchanged) naming the field paths (never their values);
 * - inform never changes anything and is never refused.
 */
import {
  BUILT_IN_PROTECTED_OBJECTS,
  protectingClass,
  type BootstrapPolicySpec,
  type ObjectRef,
  type ObjectTemplate,
  type ProtectedObjectClass,
} from "../../api/index.js";
import { PolicyEvaluationReason as Reason } from "../../api/reasons.js";
import type { KubeObject } from "../../runtime/resource.js";
import type { EnforceAction } from "./evaluate.js";
import { objectName, SERVER_OWNED_METADATA } from "./templates.js";

/** The built-in set and the administrator's additions: additions can only extend it. */
export class ProtectedSet {
  readonly classes: readonly ProtectedObjectClass[];

  constructor(additions: readonly ProtectedObjectClass[] = []) {
    this.classes = [...BUILT_IN_PROTECTED_OBJECTS, ...additions];
  }

  /** The class that protects the object, if any. */
  protecting(ref: ObjectRef): ProtectedObjectClass | undefined {
    return protectingClass(this.classes, ref);
  }
}

export const BUILT_IN_PROTECTED_SET = new ProtectedSet();

/** The object a template names, as it names it. */
export function templateRef(template: ObjectTemplate): ObjectRef | undefined {
  const o = template.objectDefinition;
  if (!o?.apiVersion || !o.kind || !o.metadata?.name) return undefined;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  };
}

export interface ProtectedTemplate {
  index: number;
  object: string;
  complianceType: ObjectTemplate["complianceType"];
  protectedBy: ProtectedObjectClass;
}

/**
 * The templates an enforce policy would use to delete or rewrite a protected object; none for inform, which only
 * reports, nor for musthave, which the worker lets add only.
 */
export function protectedTemplates(
  spec: Pick<BootstrapPolicySpec, "remediationAction" | "objectTemplates">,
  set: ProtectedSet,
): ProtectedTemplate[] {
  if (spec.remediationAction !== "enforce") return [];
  const found: ProtectedTemplate[] = [];
  for (const [index, template] of spec.objectTemplates.entries()) {
    if ((template.complianceType ?? "musthave") === "musthave") continue;
    const ref = templateRef(template);
    const protectedBy = ref && set.protecting(ref);
    if (protectedBy)
      found.push({
        index,
        object: objectName(template.objectDefinition),
        complianceType: template.complianceType,
        protectedBy,
      });
  }
  return found;
}

function verb(complianceType: ObjectTemplate["complianceType"]): string {
  return complianceType === "mustnothave" ? "delete" : "rewrite";
}

/** The Stalled message: each template, what it would do, and why the object is protected. */
export function protectedTemplatesMessage(found: readonly ProtectedTemplate[]): string {
  const each = found.map(
    (f) =>
      `spec.objectTemplates[${f.index}] (${f.complianceType}, enforce) would ${verb(f.complianceType)} ${f.object}, ` +
      `which is protected: ${f.protectedBy.why}`,
  );
  return (
    `${each.join("; ")}. Nothing of this policy is done until it changes: a policy may add to a protected object ` +
    "(musthave) or report on it (inform); see docs/bootstrap-policies.md"
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return (typeof a === "number" || typeof b === "number") && String(a) === String(b);
}

/** musthave containment (as evaluate.ts): each desired field is in observed; list items in some observed item. */
function contains(desired: unknown, observed: unknown): boolean {
  if (isObject(desired))
    return isObject(observed) && Object.entries(desired).every(([k, v]) => contains(v, observed[k]));
  if (Array.isArray(desired))
    return Array.isArray(observed) && desired.every((item) => observed.some((o) => contains(item, o)));
  return sameScalar(desired, observed);
}

function walk(desired: unknown, observed: unknown, path: string, out: string[]): void {
  if (observed === undefined || observed === null) return; // absent: adding it changes nothing there
  if (isObject(desired)) {
    if (!isObject(observed)) {
      out.push(path);
      return;
    }
    for (const [key, value] of Object.entries(desired)) walk(value, observed[key], `${path}.${key}`, out);
    return;
  }
  if (Array.isArray(desired)) {
    // An apply may replace a list whole (an atomic list): only an empty one, or one that already holds every
    // item, is safe.
    if (!Array.isArray(observed) || (observed.length > 0 && !contains(desired, observed))) out.push(path);
    return;
  }
  if (!sameScalar(desired, observed)) out.push(path);
}

/**
 * The field paths a musthave write of `template` would change on `observed` (values it has that differ, lists it
 * would replace); empty when the write only adds. Paths only: a Secret's values never reach a message.
 */
export function rewrittenFields(template: ObjectTemplate, observed: KubeObject): string[] {
  const desired = template.objectDefinition as Record<string, unknown>;
  const has = observed as Record<string, unknown>;
  const out: string[] = [];
  for (const [key, value] of Object.entries(desired)) {
    if (key === "apiVersion" || key === "kind") continue;
    if (key === "metadata" && isObject(value)) {
      const metadata = isObject(has.metadata) ? has.metadata : {};
      for (const [field, v] of Object.entries(value))
        if (!SERVER_OWNED_METADATA.has(field)) walk(v, metadata[field], `metadata.${field}`, out);
      continue;
    }
    walk(value, has[key], key, out);
  }
  return out;
}

const MAX_PATHS = 10;

/**
 * Before enforce acts on one object on the cluster: the message of a refusal (the template is NonCompliant and
 * the object left as it is), or undefined when enforce may go ahead. `ref` has the namespace the object is really
 * in (a namespaced object without one is in `default`).
 */
export function enforceRefusal(
  template: ObjectTemplate,
  ref: ObjectRef,
  observed: KubeObject | undefined,
  action: EnforceAction,
  set: ProtectedSet,
): string | undefined {
  if (action === "none") return undefined;
  const protectedBy = set.protecting(ref);
  if (!protectedBy) return undefined;
  const object = objectName(template.objectDefinition);
  const complianceType = template.complianceType ?? "musthave";
  const left = `${Reason.ProtectedObjectUnchanged}: ${object} is protected (${protectedBy.why})`;
  if (complianceType !== "musthave")
    return `${left}: enforce does not ${verb(complianceType)} it (${complianceType}); it is left as it is`;
  if (action !== "update" || !observed) return undefined;
  const paths = rewrittenFields(template, observed);
  if (paths.length === 0) return undefined;
  const shown = paths.slice(0, MAX_PATHS).join(", ") + (paths.length > MAX_PATHS ? " and more" : "");
  return `${left}: enforce only adds to a protected object, and this template would change ${shown}; it is left as it is`;
}
