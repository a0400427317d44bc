import { createServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import type { Vcsim } from "../../src/bench/vsphere-vcsim.js";

/** vcsim itself is started by the same code `slipway bench vsphere` uses. */
export { startVcsim, type Vcsim } from "../../src/bench/vsphere-vcsim.js";

/** What the proxy does with one SOAP call, by its method: pass it on, answer with a fault, or drop the connection. */
export type ProxyVerdict = "pass" | "drop" | { fault: string; message: string };

export interface VcsimProxy {
  /** `https://127.0.0.1:<port>/sdk`, served with vcsim's certificate (trusted through the same caPem). */
  url: string;
  /** The calls it saw, by method, in order. */
  calls: string[];
  stop(): Promise<void>;
}

/**
 * A SOAP-aware proxy in front of vcsim, for the faults vcsim v0.46.3 cannot make: it has no fault injection and no
 * free-space check on clones, and stopping it loses its in-memory inventory. `decide` sees each call's method (and
 * runs after the call passed when it returns "pass"): "drop" ends the connection unanswered (vCenter gone away),
 * a fault answers with vCenter's SOAP fault of that type (`NoDiskSpace`), as a vCenter would.
 */
export async function startVcsimProxy(
  vcsim: Vcsim,
  decide: (method: string, index: number) => ProxyVerdict,
): Promise<VcsimProxy> {
  const calls: string[] = [];
  const target = new URL(vcsim.url);
  const server = createServer({ cert: vcsim.tls.cert, key: vcsim.tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const method = /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(body.toString("utf8"))?.[1] ?? "unknown";
      calls.push(method);
      const verdict = decide(method, calls.length - 1);
      if (verdict === "drop") {
        req.socket.destroy();
        return;
      }
      if (verdict !== "pass") {
        res.writeHead(500, { "Content-Type": "text/xml; charset=utf-8" });
        res.end(soapFault(verdict.fault, verdict.message));
        return;
      }
      const upstream = httpsRequest(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: target.host },
          ca: vcsim.caPem,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => req.socket.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/sdk`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function soapFault(fault: string, message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    "<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode>" +
    `<faultstring>${message}</faultstring>` +
    `<detail><${fault}Fault xmlns="urn:vim25" xsi:type="${fault}"></${fault}Fault></detail>` +
    "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
  );
}
