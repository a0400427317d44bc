/**
 * Structural validation and defaulting of values against the API's schemas, outside the API server: stacks
 * check their inputs with the same schemas as admission, and test builders fill in defaults as the server
 * would. CEL rules are not evaluated here (the API server does that at admission), except the `self.matches(...)` rules of named patterns; everything else the
 * structural schema says is.
 */
import { SchemaValidationError, type FieldError } from "../errors/index.js";
import type { AnySchema, Infer, JSONSchemaProps } from "./schema.js";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A copy of value with the schema's defaults applied, nested defaults included, as the API server does. */
export function applyDefaults(schema: JSONSchemaProps, value: unknown): unknown {
  if (Array.isArray(value)) {
    return schema.items ? value.map((item) => applyDefaults(schema.items!, item)) : structuredClone(value);
  }
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childSchema = schema.properties?.[key] ?? schema.additionalProperties;
    out[key] = childSchema ? applyDefaults(childSchema, child) : structuredClone(child);
  }
  for (const [key, childSchema] of Object.entries(schema.properties ?? {})) {
    if (out[key] === undefined && childSchema.default !== undefined) {
      out[key] = applyDefaults(childSchema, structuredClone(childSchema.default));
    }
  }
  return out;
}

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

function typeError(schema: JSONSchemaProps, value: unknown): string | undefined {
  switch (schema.type) {
    case "object":
      return isObject(value) ? undefined : "must be an object";
    case "array":
      return Array.isArray(value) ? undefined : "must be an array";
    case "string":
      return typeof value === "string" ? undefined : "must be a string";
    case "integer":
      return Number.isInteger(value) ? undefined : "must be an integer";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "must be a number";
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be a boolean";
    default:
      return undefined;
  }
}

function check(schema: JSONSchemaProps, value: unknown, path: string, errors: FieldError[]): void {
  const fail = (message: string): void => void errors.push({ path, message });
  const wrongType = typeError(schema, value);
  if (wrongType) return fail(`Invalid value: ${JSON.stringify(value)}: ${wrongType}`);

  if (schema.enum && !schema.enum.includes(value as string)) {
    return fail(
      `Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`,
    );
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      fail(`Invalid value: should be at least ${schema.minLength} chars long`);
    if (schema.maxLength !== undefined && length > schema.maxLength)
      fail(`Too long: may not be more than ${schema.maxLength} chars`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) {
      fail(`Invalid value: ${JSON.stringify(value)}: should match '${schema.pattern}'`);
    }
    for (const rule of schema["x-kubernetes-validations"] ?? []) {
      // The one CEL form evaluated here: a named pattern (src/api/schema.ts), with its message in words.
      const regex = /^self\.matches\(r'([^']*)'\)$/.exec(rule.rule)?.[1];
      if (regex !== undefined && !new RegExp(regex, "u").test(value))
        fail(`Invalid value: ${JSON.stringify(value)}: ${rule.message}`);
    }
    if (schema.format === "date-time" && Number.isNaN(Date.parse(value)))
      fail(`Invalid value: ${JSON.stringify(value)}: should be a date-time`);
    if (schema.format === "cidr" && !CIDR.test(value))
      fail(`Invalid value: ${JSON.stringify(value)}: should be a CIDR`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum)
      fail(`Invalid value: ${value}: should be greater than or equal to ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      fail(`Invalid value: ${value}: should be less than or equal to ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      fail(`Invalid value: should have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      fail(`Too many: ${value.length}: must have at most ${schema.maxItems} items`);
    const listType = schema["x-kubernetes-list-type"];
    if (listType === "map" || listType === "set") {
      const keys = schema["x-kubernetes-list-map-keys"] ?? [];
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const key = JSON.stringify(listType === "map" && isObject(item) ? keys.map((k) => item[k]) : item);
        if (seen.has(key)) errors.push({ path: `${path}[${i}]`, message: `Duplicate value: ${key}` });
        seen.add(key);
      });
    }
    if (schema.items) value.forEach((item, i) => check(schema.items!, item, `${path}[${i}]`, errors));
  }
  if (isObject(value) && !schema["x-kubernetes-preserve-unknown-fields"]) {
    const count = Object.keys(value).length;
    if (schema.minProperties !== undefined && count < schema.minProperties)
      fail(`Invalid value: should have at least ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && count > schema.maxProperties)
      fail(`Too many: ${count}: must have at most ${schema.maxProperties} items`);
    for (const name of schema.required ?? []) {
      if (value[name] === undefined) errors.push({ path: `${path}.${name}`, message: "Required value" });
    }
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      const childSchema = schema.properties?.[key] ?? schema.additionalProperties;
      if (!childSchema) errors.push({ path: `${path}.${key}`, message: "field not declared in schema" });
      else check(childSchema, child, `${path}.${key}`, errors);
    }
  }
  if (isObject(value) && schema["x-kubernetes-embedded-resource"]) {
    for (const name of ["apiVersion", "kind"]) {
      if (typeof value[name] !== "string" || value[name] === "")
        errors.push({ path: `${path}.${name}`, message: "Required value" });
    }
  }
}

/** Structural errors of value against schema (CEL rules excluded), with paths rooted at `root`. */
export function validate(schema: AnySchema | JSONSchemaProps, value: unknown, root = "spec"): FieldError[] {
  const json = "json" in schema ? (schema as AnySchema).json : (schema as JSONSchemaProps);
  const errors: FieldError[] = [];
  check(json, value, root, errors);
  return errors;
}

/**
 * Defaults then validates value, returning it typed as the API server would store it, or throws a
 * SchemaValidationError naming every bad field.
 */
export function parse<S extends AnySchema>(schema: S, value: unknown, what = "spec"): Infer<S> {
  const defaulted = applyDefaults(schema.json, value);
  const errors = validate(schema, defaulted, what);
  if (errors.length > 0) throw new SchemaValidationError(what, errors);
  return defaulted as Infer<S>;
}
