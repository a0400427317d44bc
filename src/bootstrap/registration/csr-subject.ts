/**
 * Reads the subject (CN and O) of a PKCS#10 certificate signing request, so approval can check what the
 * certificate would say, not only the labels its requester chose. Node has no CSR parser; this walks the DER:
 * CertificationRequest ::= SEQUENCE { info SEQUENCE { version INTEGER, subject Name, ... }, ... }, where
 * Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value string }.
 */
export interface CsrSubject {
  commonName?: string;
  organizations: string[];
}

const OID_COMMON_NAME = "2.5.4.3";
const OID_ORGANIZATION = "2.5.4.10";

interface Element {
  tag: number;
  content: Buffer;
  /** Offset of the next element after this one. */
  end: number;
}

function readElement(der: Buffer, offset: number): Element {
  if (offset + 2 > der.length) throw new Error("truncated DER");
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error("unsupported DER length");
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  if (start + length > der.length) throw new Error("truncated DER");
  return { tag, content: der.subarray(start, start + length), end: start + length };
}

function children(content: Buffer): Element[] {
  const list: Element[] = [];
  for (let offset = 0; offset < content.length;) {
    const element = readElement(content, offset);
    list.push(element);
    offset = element.end;
  }
  return list;
}

function oid(content: Buffer): string {
  const parts = [Math.floor(content[0]! / 40), content[0]! % 40];
  let value = 0;
  for (const byte of content.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

function derOf(pemOrDer: Buffer): Buffer {
  const text = pemOrDer.toString("latin1");
  const match =
    /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(
      text,
    );
  return match ? Buffer.from(match[1]!.replace(/\s+/g, ""), "base64") : pemOrDer;
}

/** The subject of a CSR given as PEM (what `spec.request` decodes to) or DER. Throws on anything else. */
export function csrSubject(request: Buffer): CsrSubject {
  const der = derOf(request);
  const csr = readElement(der, 0);
  const info = readElement(csr.content, 0);
  const [, subject] = children(info.content);
  if (!subject || subject.tag !== 0x30) throw new Error("no subject in the certificate request");
  const result: CsrSubject = { organizations: [] };
  for (const set of children(subject.content)) {
    for (const pair of children(set.content)) {
      const [type, value] = children(pair.content);
      if (!type || !value || type.tag !== 0x06) continue;
      const text = value.content.toString("utf8");
      const id = oid(type.content);
      if (id === OID_COMMON_NAME) {
        if (result.commonName !== undefined) throw new Error("the certificate request has two common names");
        result.commonName = text;
      }
      if (id === OID_ORGANIZATION) result.organizations.push(text);
    }
  }
  return result;
}
