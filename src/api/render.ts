/**
 * Renders the generated artifacts (CRD YAML, API reference) as strings, so scripts/gen-crds.ts writes them and the
 * drift test compares them without touching the disk.
 */
import { stringify } from "yaml";
import { API_VERSION, GROUP } from "./common.js";
import { CATEGORY, crdOf, type KindDefinition } from "./crd.js";
import { kinds } from "./index.js";
import { reasonsByKind } from "./reasons.js";
import type { JSONSchemaProps, ValidationRule } from "./schema.js";

export const GENERATED_HEADER = "# Generated from src/api by `npm run gen:crds`. Do not edit.\n";

/** File name (under charts/slipway/crds) to YAML content, one file per CRD. */
export function renderCrdFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of kinds) {
    const crd = crdOf(def);
    files.set(
      `${GROUP}_${def.plural}.yaml`,
      GENERATED_HEADER + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false }),
    );
  }
  return files;
}

// ---- API reference -------------------------------------------------------------------------------------
//
// Written as headings and bullet lines, not tables: Prettier pads a table's every cell to its column's widest,
// which made the reference mostly spaces. This form is already as Prettier writes it (a drift test checks).

interface Field {
  path: string;
  type: string;
  required: boolean;
  defaultValue: unknown;
  description: string;
  constraints: string[];
}

/** A Markdown code span; double backticks when the text holds one. */
function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** Free text on one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** "text." with the full stop added when the text has none. */
function sentence(text: string): string {
  const line = oneLine(text);
  return line === "" || /[.:!?)]$/.test(line) ? line : `${line}.`;
}

function typeOf(schema: JSONSchemaProps): string {
  if (schema["x-kubernetes-embedded-resource"]) return "object (Kubernetes object)";
  if (schema["x-kubernetes-preserve-unknown-fields"]) return "object (any)";
  switch (schema.type) {
    case "array":
      return `[]${schema.items ? typeOf(schema.items) : "any"}`;
    case "object":
      return schema.additionalProperties ? `map[string]${typeOf(schema.additionalProperties)}` : "object";
    case "string":
      if (schema.enum) return "enum";
      return schema.format === "date-time" ? "string (date-time)" : "string";
    default:
      return schema["x-kubernetes-int-or-string"] ? "integer or string" : (schema.type ?? "any");
  }
}

function constraintsOf(schema: JSONSchemaProps): string[] {
  const out: string[] = [];
  if (schema.enum) out.push(`one of ${schema.enum.map((v) => code(String(v))).join(", ")}`);
  if (schema.pattern !== undefined) out.push(`pattern ${code(schema.pattern)}`);
  if (schema.format !== undefined && schema.format !== "date-time") out.push(`format ${schema.format}`);
  if (schema.minLength !== undefined) out.push(`minLength ${schema.minLength}`);
  if (schema.maxLength !== undefined) out.push(`maxLength ${schema.maxLength}`);
  if (schema.minimum !== undefined) out.push(`minimum ${schema.minimum}`);
  if (schema.maximum !== undefined) out.push(`maximum ${schema.maximum}`);
  if (schema.minItems !== undefined) out.push(`minItems ${schema.minItems}`);
  if (schema.maxItems !== undefined) out.push(`maxItems ${schema.maxItems}`);
  if (schema.minProperties !== undefined) out.push(`minProperties ${schema.minProperties}`);
  if (schema.maxProperties !== undefined) out.push(`maxProperties ${schema.maxProperties}`);
  if (schema["x-kubernetes-list-type"] === "map") {
    out.push(`list-map keyed by ${(schema["x-kubernetes-list-map-keys"] ?? []).map(code).join(", ")}`);
  }
  for (const rule of schema["x-kubernetes-validations"] ?? []) out.push(`rule: ${oneLine(rule.message)}`);
  return out;
}

function collectFields(schema: JSONSchemaProps, path: string, required: boolean, fields: Field[]): void {
  fields.push({
    path,
    type: typeOf(schema),
    required,
    defaultValue: schema.default,
    description: schema.description ?? "",
    constraints: constraintsOf(schema),
  });
  if (schema.type === "object" && schema.properties) {
    for (const [name, child] of Object.entries(schema.properties)) {
      collectFields(child, `${path}.${name}`, schema.required?.includes(name) ?? false, fields);
    }
  } else if (schema.type === "object" && schema.additionalProperties?.type === "object") {
    collectFields(schema.additionalProperties, `${path}.<key>`, false, fields);
  } else if (schema.type === "array" && schema.items?.type === "object" && schema.items.properties) {
    for (const [name, child] of Object.entries(schema.items.properties)) {
      collectFields(child, `${path}[].${name}`, schema.items.required?.includes(name) ?? false, fields);
    }
  }
}

/**
 * One field as a bullet: `path` (type, required, default): description. The constraints follow on a second line
 * of the same item.
 */
function fieldLine(field: Field): string {
  const facts = [
    field.type,
    ...(field.required ? ["required"] : []),
    ...(field.defaultValue === undefined ? [] : [`default ${code(JSON.stringify(field.defaultValue))}`]),
  ];
  const head = `- ${code(field.path)} (${facts.join(", ")})`;
  const description = sentence(field.description);
  const lines = [description === "" ? head : `${head}: ${description}`];
  if (field.constraints.length > 0) lines.push(`  ${field.constraints.join("; ")}`);
  return lines.join("\n");
}

/** A field section longer than this many lines is split: a section per child field. */
const SECTION_MAX_FIELDS = 30;

/**
 * A heading per field of spec or status, with that field and everything below it as bullets; a large object (a
 * platform one-of, a pool's template) gets a heading of its own for each of its fields instead.
 */
function fieldSections(schema: JSONSchemaProps, root: string): string[] {
  const parts: string[] = [];
  const visit = (child: JSONSchemaProps, path: string, required: boolean): void => {
    const fields: Field[] = [];
    collectFields(child, path, required, fields);
    if (fields.length <= SECTION_MAX_FIELDS || child.type !== "object" || !child.properties) {
      parts.push(`#### ${path}`, fields.map(fieldLine).join("\n"));
      return;
    }
    parts.push(`#### ${path}`, fieldLine(fields[0]!));
    for (const [name, grandchild] of Object.entries(child.properties)) {
      visit(grandchild, `${path}.${name}`, child.required?.includes(name) ?? false);
    }
  };
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    visit(child, `${root}.${name}`, schema.required?.includes(name) ?? false);
  }
  return parts;
}

function collectRules(
  schema: JSONSchemaProps,
  path: string,
  out: { path: string; rule: ValidationRule }[],
): void {
  for (const rule of schema["x-kubernetes-validations"] ?? []) out.push({ path, rule });
  for (const [name, child] of Object.entries(schema.properties ?? {}))
    collectRules(child, `${path}.${name}`, out);
  if (schema.items) collectRules(schema.items, `${path}[]`, out);
  if (schema.additionalProperties) collectRules(schema.additionalProperties, `${path}.<key>`, out);
}

/** `name`: meaning, one bullet per entry. */
function definitions(entries: [string, string][]): string {
  return entries.map(([name, meaning]) => `- ${code(name)}: ${sentence(meaning)}`).join("\n");
}

function kindSection(def: KindDefinition): string {
  const crd = crdOf(def);
  const version = crd.spec.versions[0]!;
  const root = version.schema.openAPIV3Schema;
  const parts: string[] = [];
  parts.push(`## ${def.kind}`);
  parts.push(oneLine(def.description));
  parts.push(
    [
      `- apiVersion: ${code(API_VERSION)}, kind: ${code(def.kind)}, namespaced`,
      `- resource: ${code(`${def.plural}.${GROUP}`)}, short names: ${def.shortNames.map(code).join(", ")}, category: ${code(CATEGORY)}`,
      `- subresources: status${def.scale ? `, scale (${code(def.scale.specReplicasPath)} / ${code(def.scale.statusReplicasPath)})` : ""}`,
    ].join("\n"),
  );

  parts.push("### Columns of `kubectl get`");
  parts.push(
    def.printerColumns
      .map((c) => `- ${c.name}: ${code(c.jsonPath)}${c.priority ? " (with `-o wide`)" : ""}`)
      .join("\n"),
  );

  parts.push("### Conditions");
  parts.push(definitions(Object.entries(def.conditionTypes)));

  const reasons = reasonsByKind[def.kind];
  if (reasons) {
    parts.push("### Condition reasons");
    parts.push(
      "Every reason the controller writes on this kind's conditions and Events (src/api/reasons.ts); nothing else.",
    );
    parts.push(definitions(Object.entries(reasons)));
  }

  const rules: { path: string; rule: ValidationRule }[] = [];
  collectRules(root, def.kind, rules);
  parts.push("### Admission rules (CEL)");
  parts.push(
    "Checked by the API server on create and update; transition rules (those reading `oldSelf`) on update only. " +
      "Each rule: where it sits, the message the API server answers with, then the CEL expression.",
  );
  parts.push(
    rules
      .map(({ path, rule }) => `- ${code(path)}: ${sentence(rule.message)}\n  ${code(rule.rule)}`)
      .join("\n"),
  );

  parts.push("### spec");
  parts.push(...fieldSections(def.spec.json, "spec"));
  parts.push("### status");
  parts.push(...fieldSections(def.status.json, "status"));
  return parts.join("\n\n");
}

/** The API reference in Markdown, already in the form `prettier --check` wants. */
export function renderApiDocs(): string {
  const toc = kinds
    .map((k) => `- [${k.kind}](#${k.kind.toLowerCase()}) (${k.shortNames.join(", ")})`)
    .join("\n");
  const intro = [
    "<!-- Generated from src/api by `npm run gen:crds`. Do not edit. -->",
    `# Slipway API reference (${API_VERSION})`,
    "Every kind is namespaced, has a status subresource and belongs to the `slipway` category " +
      "(`kubectl get slipway` lists them all). The CRDs are in `charts/slipway/crds/`; the TypeScript types " +
      "are exported from `src/api/index.ts`. Examples are in `examples/`.",
    "Conventions: every resource carries the condition `Ready` plus exactly one of `Reconciling` or `Stalled`, " +
      "and its domain conditions, each with a CamelCase reason and a message a person can act on. Durations " +
      "are Go durations (`30m`, `8h`, `720h`); CEL's `duration()` reads them. Defaults are applied by the API " +
      "server; a defaulted field inside an optional object appears once the object is set.",
    "Each field reads `path` (type, required, default): what it means; its limits and admission rules follow on " +
      "the line below. A kind's admission rules are also listed with their CEL expressions.",
    "## Decisions",
    [
      "- **Platform as a one-of, Hive style.** `spec.platform` holds exactly one of `local`, `simulated`, `aws`, " +
        "`azure`, `gcp`, `vsphere` (CEL), with no `type` discriminator. A JSONPath cannot print which key is set, " +
        "so the controller copies it to `status.platform` (and the region to `status.region`) for `kubectl get`.",
      "- **What cannot change.** On a ClusterDeployment: the platform kind, the region (vCenter and datacenter on " +
        "vsphere), `clusterName`, and the pool of `clusterPoolRef` (which is set only at creation; `claimName` " +
        "once set). Versions move forward one minor version at a time. A pool's template stays mutable: a change " +
        "marks unclaimed clusters stale and the pool replaces them.",
      "- **Pool template.** A ClusterDeployment spec without `clusterName` (generated), `clusterPoolRef` (set by " +
        "the pool), `powerState` and `hibernateAfter` (the pool decides them: `runningCount`, `spec.hibernateAfter`). " +
        "Pool clusters live in the pool's namespace and are named `<pool>-<5 random characters>`, hence pool names " +
        "of at most 57 characters (34 with a gcp template, GKE allows 40).",
      "- **Durations** are Go durations checked by a pattern and bounded by CEL `duration()`: hibernateAfter at " +
        "least 1m, claim lifetimes between 1m and 720h (30 days).",
      "- **Status per concern.** Several controllers work on one cluster, each with jobs of its own, so each owns " +
        "one status record and one field manager: `status.stack` (the Pulumi operation: `up`, `destroy`, " +
        "`refresh`; provision, hibernate, resume and resize are all `up`, and `status.powerState` shows which " +
        "transition is under way), `status.registration` (the registration controller), `status.bootstrap` (the " +
        "bootstrap policies) and `status.power` (the power controller). Only `status.stack.inputsHash` says what " +
        "the stack holds, so a registration or bootstrap job never makes a claim run Pulumi again.",
      "- **Ready is a summary** of each kind's named domain conditions (Cluster API's util/conditions): a missing " +
        "one counts as Unknown, Ready is True only when all are good, otherwise `Reconciling` carries the reason " +
        "of the first that is not. A ClusterDeployment's Ready summarizes `InfrastructureReady` and " +
        "`Provisioned`, and `Registered` and `Bootstrapped` once their controllers have set them; a hibernating " +
        "cluster as asked is Ready with reason `Hibernating`.",
      "- **Fields not acted on** are accepted and answered with the condition `FieldsNotActedOn`, reason " +
        "`NotImplementedYet`, naming each field. Today every field is acted on (schedules and `hibernateAfter` by " +
        "the power controller, `registration` by the registration controller); the condition stays for the next.",
      "- **BootstrapPolicy** is namespaced and applies to the clusters of its own namespace whose registration " +
        "labels match `clusterSelector` (OCM Placement semantics); tenants cannot push objects to other tenants' " +
        "clusters.",
      "- **Outside admission.** `validate()`, `applyDefaults()` and `parse()` in `src/api/validate.ts` check a " +
        "value against the same structural schema (CEL rules excluded) so stacks validate their inputs like the " +
        "API server does. What admission cannot see (a missing Secret, an unknown instance type) becomes a " +
        "`Stalled` condition with a reason.",
    ].join("\n"),
    "## Kinds",
    toc,
  ].join("\n\n");
  return [intro, ...kinds.map(kindSection)].join("\n\n") + "\n";
}
