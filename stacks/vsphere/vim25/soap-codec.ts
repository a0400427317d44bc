import { XMLBuilder, XMLParser } from "fast-xml-parser";

/**
 * The vim25 SOAP envelope, written and read with fast-xml-parser: requests are built from typed objects (never
 * XML strings pasted together, so a value is always escaped) and answers parsed into plain objects.
 *
 * How a value is written: a string, number or boolean is a text element; an array repeats its element; a
 * `MoRef` is `<tag type="Folder">group-d1</tag>`; an object whose `$type` is set carries `xsi:type` (vim25 needs
 * it where the schema's type is a base type: a TraversalSpec in `selectSet`, a string in `OptionValue.value`).
 * Keys keep their insertion order, which must be the schema's sequence order: vCenter checks it.
 */

/** A managed object reference: its type and its id on that server (`VirtualMachine`, `vm-42`). */
export interface MoRef {
  type: string;
  value: string;
}

/** A vim25 data object to write: its fields, `$type` when the element needs `xsi:type`, `$text` for its text. */
export interface DataObject {
  $type?: string;
  $text?: string;
  [field: string]: SoapValue;
}

/** A string where the schema says `anyType` (OptionValue.value): it must say it is an `xsd:string`. */
export function xsdString(value: string): DataObject {
  return { $type: "xsd:string", $text: value };
}

export type SoapValue = string | number | boolean | MoRef | DataObject | SoapValue[] | undefined;

/** A SOAP fault as the server reported it: the vim25 fault type and its text. */
export interface SoapFault {
  fault: string;
  message: string;
}

/** A parsed element: attributes as `@_name`, text as `#text` when it has attributes, children by tag. */
export type XmlNode = string | { [key: string]: XmlNode | XmlNode[] };

const SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/";

export function isMoRef(value: unknown): value is MoRef {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 2 &&
    typeof (value as MoRef).type === "string" &&
    typeof (value as MoRef).value === "string"
  );
}

function encodeValue(value: Exclude<SoapValue, undefined | SoapValue[]>): unknown {
  if (typeof value !== "object") return String(value);
  if (isMoRef(value)) return { "@_type": value.type, "#text": value.value };
  const out: Record<string, unknown> = {};
  if (value.$type) out["@_xsi:type"] = value.$type;
  if (value.$text !== undefined) out["#text"] = value.$text;
  for (const [key, field] of Object.entries(value)) {
    if (key === "$type" || key === "$text" || field === undefined) continue;
    out[key] = Array.isArray(field)
      ? field
          .filter((f) => f !== undefined)
          .map((f) => encodeValue(f as Exclude<SoapValue, undefined | SoapValue[]>))
      : encodeValue(field);
  }
  return out;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  processEntities: true,
  suppressEmptyNode: false,
});

/** The request body of one call: `method` on `self` with its arguments, in the schema's order. */
export function encodeRequest(method: string, self: MoRef, args: DataObject = {}): string {
  const body = encodeValue({ _this: self, ...args }) as Record<string, unknown>;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    builder.build({
      "soapenv:Envelope": {
        "@_xmlns:soapenv": SOAP_ENV,
        "@_xmlns:xsd": "http://www.w3.org/2001/XMLSchema",
        "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "soapenv:Body": { [method]: { "@_xmlns": "urn:vim25", ...body } },
      },
    })
  );
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  // Keep every value a string: the caller knows which are numbers. Keep prefixes: `xsi:type` and a MoRef's
  // `type` would otherwise collide.
  parseTagValue: false,
  parseAttributeValue: false,
  removeNSPrefix: false,
  processEntities: true,
});

function stripPrefix(key: string): string {
  const i = key.indexOf(":");
  return i < 0 ? key : key.slice(i + 1);
}

function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (node === undefined || typeof node === "string") return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (stripPrefix(key) === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** The answer of one call: its `returnval` (undefined for a void method), or the fault it carries. */
export function decodeResponse(
  method: string,
  xml: string,
): { returnval?: XmlNode | XmlNode[]; fault?: SoapFault } {
  const doc = parser.parse(xml) as XmlNode;
  const body = child(child(doc, "Envelope"), "Body");
  if (body === undefined) throw new Error(`${method}: the answer is not a SOAP envelope`);
  const fault = child(body, "Fault");
  if (fault !== undefined) return { fault: decodeFault(fault) };
  const response = child(body, `${method}Response`);
  if (response === undefined || typeof response === "string") return {};
  return { returnval: response["returnval"] };
}

function decodeFault(fault: XmlNode): SoapFault {
  const message = text(child(fault, "faultstring")) ?? "";
  const detail = child(fault, "detail");
  let name = "ServerFault";
  if (detail !== undefined && typeof detail !== "string") {
    const [tag, value] = Object.entries(detail).find(([key]) => !key.startsWith("@_")) ?? [];
    const node = Array.isArray(value) ? value[0] : value;
    const declared = xsiType(node);
    if (declared) name = declared;
    else if (tag) name = stripPrefix(tag).replace(/Fault$/, "");
  }
  return { fault: name, message };
}

/**
 * An element's `xsi:type`, without its prefix. Servers spell the prefix as they like (vcsim, through Go's
 * encoding/xml, writes `XMLSchema-instance:type`); a MoRef's own `type` attribute has none.
 */
export function xsiType(node: XmlNode | XmlNode[] | undefined): string | undefined {
  if (node === undefined || typeof node === "string" || Array.isArray(node)) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("@_") && key.endsWith(":type") && typeof value === "string") return stripPrefix(value);
  }
  return undefined;
}

/** The text of an element (with or without attributes). */
export function text(node: XmlNode | XmlNode[] | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === "string") return node;
  const value = node["#text"];
  return typeof value === "string" ? value : value === undefined ? "" : undefined;
}

/** An element that holds a managed object reference. */
export function moRef(node: XmlNode | XmlNode[] | undefined): MoRef | undefined {
  if (node === undefined) return undefined;
  if (Array.isArray(node)) return moRef(node[0]);
  if (typeof node === "string") return undefined;
  const type = node["@_type"];
  const value = node["#text"];
  return typeof type === "string" && typeof value === "string" ? { type, value } : undefined;
}

/** One or many repeated elements as a list. */
export function list(node: XmlNode | XmlNode[] | undefined): XmlNode[] {
  return node === undefined ? [] : Array.isArray(node) ? node : [node];
}

/** A named child of an element. */
export function field(node: XmlNode | XmlNode[] | undefined, name: string): XmlNode | XmlNode[] | undefined {
  if (node === undefined || typeof node === "string" || Array.isArray(node)) return undefined;
  return node[name];
}

/**
 * A parsed element written back as a value (a device read from a VM, edited and sent in a reconfigure): its
 * `xsi:type` kept, a MoRef kept a MoRef, children in the order the server sent them (the schema's).
 */
export function toSoapValue(node: XmlNode | XmlNode[]): SoapValue {
  if (Array.isArray(node)) return node.map((n) => toSoapValue(n));
  if (typeof node === "string") return node;
  const ref = moRef(node);
  if (ref) return ref;
  const out: DataObject = {};
  const declared = xsiType(node);
  if (declared) out.$type = declared;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("@_")) continue;
    if (key === "#text") out.$text = typeof value === "string" ? value : "";
    else out[key] = toSoapValue(value);
  }
  return out;
}
