import { request } from "node:https";
import { Vim25FaultError } from "../../../src/errors/index.js";
import { decodeResponse, encodeRequest, type DataObject, type MoRef, type XmlNode } from "./soap-codec.js";

export interface SoapTransportOptions {
  /** `https://vcenter.example.com/sdk`. */
  url: string;
  /**
   * PEM bundle of the CA(s) that may sign the vCenter's certificate (the Secret certificatesRef names). Absent:
   * Node's system roots. Never disabled: a certificate that does not verify fails the call as `Transport`.
   */
  caPem?: string;
  /** `urn:vim25/<version>` in the SOAPAction header. */
  apiVersion?: string;
  /** A call that gets no answer in this time fails as `Transport` (a vCenter that went away). */
  requestTimeoutMs?: number;
}

/**
 * One vCenter session's HTTP side: POSTs each call's envelope to /sdk, keeps the session cookie the login set,
 * turns SOAP faults into Vim25FaultError, and counts calls per method (the figures in the tests and notes).
 */
export class SoapTransport {
  private cookie?: string;
  private readonly counts = new Map<string, number>();

  constructor(private readonly options: SoapTransportOptions) {}

  /** Calls made so far, per method. */
  get calls(): ReadonlyMap<string, number> {
    return this.counts;
  }

  get totalCalls(): number {
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  /** Forgets the session cookie (after a logout). */
  clearSession(): void {
    this.cookie = undefined;
  }

  async call(method: string, self: MoRef, args?: DataObject): Promise<XmlNode | XmlNode[] | undefined> {
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
    const body = encodeRequest(method, self, args);
    const { status, text } = await this.post(method, body);
    let decoded;
    try {
      decoded = decodeResponse(method, text);
    } catch (error) {
      throw new Vim25FaultError(method, "Transport", `HTTP ${status}, not a SOAP answer`, { cause: error });
    }
    if (decoded.fault) throw new Vim25FaultError(method, decoded.fault.fault, decoded.fault.message);
    if (status >= 400) throw new Vim25FaultError(method, "Transport", `HTTP ${status}`);
    return decoded.returnval;
  }

  private post(method: string, body: string): Promise<{ status: number; text: string }> {
    const { url, caPem, apiVersion = "6.5", requestTimeoutMs = 60_000 } = this.options;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: "POST",
          ca: caPem,
          headers: {
            "Content-Type": "text/xml; charset=utf-8",
            SOAPAction: `urn:vim25/${apiVersion}`,
            "Content-Length": Buffer.byteLength(body),
            ...(this.cookie ? { Cookie: this.cookie } : {}),
          },
          timeout: requestTimeoutMs,
        },
        (res) => {
          const setCookie = res.headers["set-cookie"]?.find((c) => c.startsWith("vmware_soap_session="));
          if (setCookie) this.cookie = setCookie.split(";")[0];
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", (error) => reject(transportError(method, error)));
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer in ${requestTimeoutMs} ms`)));
      req.on("error", (error) => reject(transportError(method, error)));
      req.end(body);
    });
  }
}

function transportError(method: string, error: Error & { code?: string }): Vim25FaultError {
  // Node's TLS codes (DEPTH_ZERO_SELF_SIGNED_CERT, UNABLE_TO_VERIFY_LEAF_SIGNATURE ...) say why a CA did not match.
  const why = error.code ? `${error.code}: ${error.message}` : error.message;
  return new Vim25FaultError(method, "Transport", why, { cause: error });
}
