/**
 * A small typed builder for Kubernetes structural OpenAPI v3 schemas. Each builder returns a `Schema` whose
 * `json` is the schema that goes into the CRD and whose type parameters carry the TypeScript type of the
 * values it accepts, so `Infer<typeof spec>` and the CRD YAML come from the same declaration.
 *
 * Presence (how a field sits in its parent object):
 * - "optional"  the field may be absent (TypeScript `?`);
 * - "defaulted" the API server fills it in when absent: optional when writing (`InferInput`), always
 *               present when reading (`Infer`), provided its parent object is present;
 * - "required"  listed in the parent's `required`.
 */

export type Presence = "optional" | "defaulted" | "required";

/** A CEL rule in `x-kubernetes-validations`. */
export interface ValidationRule {
  rule: string;
  /** What to fix, shown to the user as is. Every Slipway rule has one. */
  message: string;
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
  /** Transition rules (those using oldSelf) also run on create, with oldSelf absent. */
  optionalOldSelf?: boolean;
}

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps that structural schemas use. */
export interface JSONSchemaProps {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps;
  enum?: readonly (string | number | boolean)[];
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  "x-kubernetes-validations"?: ValidationRule[];
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
  "x-kubernetes-preserve-unknown-fields"?: true;
  "x-kubernetes-embedded-resource"?: true;
  "x-kubernetes-int-or-string"?: true;
  anyOf?: JSONSchemaProps[];
}

declare const outputType: unique symbol;
declare const inputType: unique symbol;

/**
 * A schema node. `Out` is the type of values read back from the API server (defaults applied), `In` the
 * type a client may write (defaulted fields optional), `P` its presence in a parent object.
 */
export class Schema<Out, In = Out, P extends Presence = Presence> {
  declare readonly [outputType]: Out;
  declare readonly [inputType]: In;

  readonly json: JSONSchemaProps;

  constructor(
    json: JSONSchemaProps,
    readonly presence: P,
  ) {
    // type and description first, so the generated YAML reads top-down.
    const { type, description, ...rest } = json;
    this.json = {
      ...(type !== undefined ? { type } : {}),
      ...(description !== undefined ? { description } : {}),
      ...rest,
    };
  }

  /** Lists the field in its parent's `required`. */
  required(): Schema<Out, In, "required"> {
    return new Schema(this.json, "required");
  }
}

/** An object schema keeps its properties so other schemas can be built from them. */
export class ObjectSchema<S extends Shape, Out, In, P extends Presence = Presence> extends Schema<
  Out,
  In,
  P
> {
  constructor(
    json: JSONSchemaProps,
    presence: P,
    readonly shape: S,
  ) {
    super(json, presence);
  }

  override required(): ObjectSchema<S, Out, In, "required"> {
    return new ObjectSchema(this.json, "required", this.shape);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySchema = Schema<any, any, Presence>;
export type Shape = Record<string, AnySchema>;

/** The type of a value read from the API server. */
export type Infer<S> = S extends Schema<infer O, unknown, Presence> ? O : never;
/** The type of a value a client may write (defaulted fields optional). */
export type InferInput<S> = S extends Schema<unknown, infer I, Presence> ? I : never;

type PresenceOf<S> = S extends Schema<unknown, unknown, infer P> ? P : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

type OptionalKeys<S extends Shape, Loose extends Presence> = {
  [K in keyof S]: PresenceOf<S[K]> extends Loose ? K : never;
}[keyof S];

export type ObjectOutput<S extends Shape> = Simplify<
  { -readonly [K in Exclude<keyof S, OptionalKeys<S, "optional">>]: Infer<S[K]> } & {
    -readonly [K in OptionalKeys<S, "optional">]?: Infer<S[K]>;
  }
>;
export type ObjectInput<S extends Shape> = Simplify<
  { -readonly [K in Exclude<keyof S, OptionalKeys<S, "optional" | "defaulted">>]: InferInput<S[K]> } & {
    -readonly [K in OptionalKeys<S, "optional" | "defaulted">]?: InferInput<S[K]>;
  }
>;

/** Options every schema node takes. */
export interface CommonOptions<T> {
  description?: string;
  /** Makes the field "defaulted"; the API server applies it when the field is absent. */
  default?: T;
  rules?: ValidationRule[];
}

/**
 * A pattern a person can read: the regular expression and what it allows in words, with an example. The CRD
 * checks it with a CEL rule whose message is the words (the API server would print only the expression for an
 * OpenAPI `pattern`), and the field's other rules run only on values that match it, so a person never sees a
 * CEL conversion error for a value such as `forever` or `99999999999h`.
 */
export interface NamedPattern {
  regex: string;
  /** Completes "must be ...": "lower-case letters, digits and '-' (for example dev-a)". */
  words: string;
}

export interface StringOptions extends CommonOptions<string> {
  pattern?: string | NamedPattern;
  format?: "date-time" | "duration" | "cidr" | "ipv4" | "ipv6" | "uri" | "hostname";
  minLength?: number;
  maxLength?: number;
}

export interface NumberOptions extends CommonOptions<number> {
  minimum?: number;
  maximum?: number;
  format?: "int32" | "int64" | "double";
}

export interface ArrayOptions<T> extends CommonOptions<T[]> {
  minItems?: number;
  maxItems?: number;
  /** Default "atomic"; "map" needs listMapKeys. */
  listType?: "atomic" | "set" | "map";
  listMapKeys?: string[];
}

export interface MapOptions<T> extends CommonOptions<Record<string, T>> {
  minProperties?: number;
  maxProperties?: number;
}

export interface ObjectOptions<T> extends CommonOptions<T> {
  minProperties?: number;
  maxProperties?: number;
}

type PresenceFor<O> = O extends { default: unknown } ? "defaulted" : "optional";

function common<T>(opts: CommonOptions<T> | undefined): JSONSchemaProps {
  const json: JSONSchemaProps = {};
  if (opts?.description !== undefined) json.description = opts.description;
  if (opts?.default !== undefined) json.default = opts.default;
  if (opts?.rules !== undefined && opts.rules.length > 0) json["x-kubernetes-validations"] = opts.rules;
  return json;
}

function presence(opts: { default?: unknown } | undefined): Presence {
  return opts?.default !== undefined ? "defaulted" : "optional";
}

function pick<T extends object, K extends keyof T>(opts: T | undefined, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (opts?.[k] !== undefined) out[k] = opts[k];
  return out;
}

/** The CEL rule checking a named pattern; src/api/validate.ts recognises exactly this form. */
export function matchesRule(pattern: NamedPattern): ValidationRule {
  if (pattern.regex.includes("'")) throw new Error(`pattern ${pattern.regex} cannot be a CEL raw string`);
  return { rule: `self.matches(r'${pattern.regex}')`, message: `must be ${pattern.words}` };
}

function string<const O extends StringOptions>(opts?: O): Schema<string, string, PresenceFor<O>> {
  const named = typeof opts?.pattern === "object" ? opts.pattern : undefined;
  const rules = named
    ? [
        matchesRule(named),
        ...(opts?.rules ?? []).map((r) => ({
          ...r,
          rule: `!self.matches(r'${named.regex}') || (${r.rule})`,
        })),
      ]
    : opts?.rules;
  const json: JSONSchemaProps = {
    type: "string",
    ...pick(opts, ["format", "minLength", "maxLength"]),
    ...(typeof opts?.pattern === "string" ? { pattern: opts.pattern } : {}),
    ...common({ ...opts, rules }),
  };
  return new Schema(json, presence(opts) as PresenceFor<O>);
}

function enumOf<const V extends readonly [string, ...string[]], const O extends CommonOptions<V[number]>>(
  values: V,
  opts?: O,
): Schema<V[number], V[number], PresenceFor<O>> {
  return new Schema({ type: "string", enum: values, ...common(opts) }, presence(opts) as PresenceFor<O>);
}

function integer<const O extends NumberOptions>(opts?: O): Schema<number, number, PresenceFor<O>> {
  const json: JSONSchemaProps = {
    type: "integer",
    ...pick(opts, ["format", "minimum", "maximum"]),
    ...common(opts),
  };
  return new Schema(json, presence(opts) as PresenceFor<O>);
}

function number<const O extends NumberOptions>(opts?: O): Schema<number, number, PresenceFor<O>> {
  const json: JSONSchemaProps = {
    type: "number",
    ...pick(opts, ["format", "minimum", "maximum"]),
    ...common(opts),
  };
  return new Schema(json, presence(opts) as PresenceFor<O>);
}

function boolean<const O extends CommonOptions<boolean>>(opts?: O): Schema<boolean, boolean, PresenceFor<O>> {
  return new Schema({ type: "boolean", ...common(opts) }, presence(opts) as PresenceFor<O>);
}

/** An RFC 3339 timestamp, as metav1.Time serialises. */
function dateTime<const O extends CommonOptions<string>>(opts?: O): Schema<string, string, PresenceFor<O>> {
  return new Schema(
    { type: "string", format: "date-time", ...common(opts) },
    presence(opts) as PresenceFor<O>,
  );
}

function array<I extends AnySchema, const O extends ArrayOptions<InferInput<I>>>(
  item: I,
  opts?: O,
): Schema<Infer<I>[], InferInput<I>[], PresenceFor<O>> {
  const listType = opts?.listType ?? "atomic";
  const json: JSONSchemaProps = {
    type: "array",
    items: item.json,
    ...pick(opts, ["minItems", "maxItems"]),
    "x-kubernetes-list-type": listType,
    ...(listType === "map" ? { "x-kubernetes-list-map-keys": opts?.listMapKeys ?? [] } : {}),
    ...common(opts),
  };
  return new Schema(json, presence(opts) as PresenceFor<O>);
}

/** A string-keyed map (additionalProperties). */
function map<V extends AnySchema, const O extends MapOptions<InferInput<V>>>(
  value: V,
  opts?: O,
): Schema<Record<string, Infer<V>>, Record<string, InferInput<V>>, PresenceFor<O>> {
  const json: JSONSchemaProps = {
    type: "object",
    additionalProperties: value.json,
    ...pick(opts, ["minProperties", "maxProperties"]),
    ...common(opts),
  };
  return new Schema(json, presence(opts) as PresenceFor<O>);
}

function object<const S extends Shape, const O extends ObjectOptions<ObjectInput<S>>>(
  shape: S,
  opts?: O,
): ObjectSchema<S, ObjectOutput<S>, ObjectInput<S>, PresenceFor<O>> {
  const properties: Record<string, JSONSchemaProps> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(shape)) {
    properties[name] = field.json;
    if (field.presence === "required") required.push(name);
  }
  const json: JSONSchemaProps = {
    type: "object",
    // The API server drops an empty properties map; leaving it out keeps the served schema equal to ours.
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
    ...(required.length > 0 ? { required } : {}),
    ...pick(opts, ["minProperties", "maxProperties"]),
    ...common(opts),
  };
  return new ObjectSchema(json, presence(opts) as PresenceFor<O>, shape);
}

/** Any JSON object, kept as is (x-kubernetes-preserve-unknown-fields). */
function freeform<const O extends CommonOptions<Record<string, unknown>>>(
  opts?: O,
): Schema<Record<string, unknown>, Record<string, unknown>, PresenceFor<O>> {
  return new Schema(
    { type: "object", "x-kubernetes-preserve-unknown-fields": true, ...common(opts) },
    presence(opts) as PresenceFor<O>,
  );
}

/**
 * A count or a percentage (Kubernetes' IntOrString, as `maxUnavailable`): `1` or `"10%"`. The schema allows both
 * types; a rule of the caller's says which values.
 */
function intOrString<const O extends CommonOptions<number | string>>(
  opts?: O,
): Schema<number | string, number | string, PresenceFor<O>> {
  return new Schema(
    {
      "x-kubernetes-int-or-string": true,
      anyOf: [{ type: "integer" }, { type: "string" }],
      ...common(opts),
    },
    presence(opts) as PresenceFor<O>,
  );
}

/** A whole Kubernetes object embedded in a field; the API server checks its apiVersion, kind and metadata. */
export interface EmbeddedResource {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * The fields of an embedded resource CEL rules may read. Left undeclared, the API server gives CEL only
 * apiVersion, kind, metadata.name and metadata.generateName; declared (with lengths, which keep the rules'
 * estimated cost low), metadata.namespace too. Everything else is kept as written (preserved unknown fields).
 */
const EMBEDDED_RESOURCE_FIELDS: Record<string, JSONSchemaProps> = {
  apiVersion: { type: "string", description: "The object's API version (for example v1).", maxLength: 317 },
  kind: { type: "string", description: "The object's kind (for example ConfigMap).", maxLength: 253 },
  metadata: {
    type: "object",
    description: "The object's metadata; fields other than these are kept as written.",
    properties: {
      name: { type: "string", description: "The object's name.", maxLength: 253 },
      generateName: { type: "string", description: "A prefix for a generated name.", maxLength: 253 },
      namespace: { type: "string", description: "The object's namespace, if namespaced.", maxLength: 63 },
    },
    "x-kubernetes-preserve-unknown-fields": true,
  },
};

function embeddedResource<const O extends CommonOptions<EmbeddedResource>>(
  opts?: O,
): Schema<EmbeddedResource, EmbeddedResource, PresenceFor<O>> {
  return new Schema(
    {
      type: "object",
      properties: EMBEDDED_RESOURCE_FIELDS,
      "x-kubernetes-preserve-unknown-fields": true,
      "x-kubernetes-embedded-resource": true,
      ...common(opts),
    },
    presence(opts) as PresenceFor<O>,
  );
}

export const s = {
  string,
  enum: enumOf,
  integer,
  number,
  boolean,
  dateTime,
  array,
  map,
  object,
  freeform,
  embeddedResource,
  intOrString,
};
