import { describe, expect, it } from "vitest";
import {
  decodeResponse,
  encodeRequest,
  field,
  list,
  moRef,
  text,
  toSoapValue,
  xsdString,
  xsiType,
} from "../../../../stacks/vsphere/vim25/soap-codec.js";

const envelope = (body: string) =>
  `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
  `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

describe("vim25 SOAP codec", () => {
  it("writes a call with its MoRef, arguments in order, xsi:type and escaped values", () => {
    const xml = encodeRequest(
      "Login",
      { type: "SessionManager", value: "SessionManager" },
      { userName: "admin@vsphere.local", password: `p<a&ss"` },
    );
    expect(xml).toContain('<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>');
    expect(xml).toContain("<userName>admin@vsphere.local</userName><password>p&lt;a&amp;ss");
    expect(xml).not.toContain("p<a&ss");

    const option = encodeRequest(
      "ReconfigVM_Task",
      { type: "VirtualMachine", value: "vm-1" },
      { spec: { numCPUs: 2, extraConfig: [{ $type: "OptionValue", key: "k", value: xsdString("v") }] } },
    );
    expect(option).toContain(
      '<spec><numCPUs>2</numCPUs><extraConfig xsi:type="OptionValue"><key>k</key><value xsi:type="xsd:string">v</value></extraConfig></spec>',
    );
  });

  it("writes an array as repeated elements and leaves out undefined fields", () => {
    const xml = encodeRequest(
      "RetrievePropertiesEx",
      { type: "PropertyCollector", value: "pc" },
      {
        specSet: { propSet: [{ type: "VirtualMachine", pathSet: ["name", "runtime.powerState"] }] },
        options: {},
      },
    );
    expect(xml).toContain("<pathSet>name</pathSet><pathSet>runtime.powerState</pathSet>");
    expect(xml).not.toContain("undefined");
  });

  it("reads a returnval: MoRefs, text, one or many elements", () => {
    const { returnval } = decodeResponse(
      "RetrievePropertiesEx",
      envelope(
        `<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj>` +
          `<propSet><name>name</name><val xsi:type="xsd:string">a &amp; b</val></propSet></objects></returnval>` +
          `</RetrievePropertiesExResponse>`,
      ),
    );
    const objects = list(field(returnval, "objects"));
    expect(objects).toHaveLength(1);
    expect(moRef(field(objects[0], "obj"))).toEqual({ type: "VirtualMachine", value: "vm-1" });
    expect(text(field(field(objects[0], "propSet"), "val"))).toBe("a & b");
  });

  it("reads a fault's vim25 type whatever the xsi prefix, and a void answer", () => {
    const { fault } = decodeResponse(
      "Login",
      envelope(
        `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Login failure</faultstring>` +
          `<detail><InvalidLoginFault xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" ` +
          `XMLSchema-instance:type="InvalidLogin"></InvalidLoginFault></detail></soapenv:Fault>`,
      ),
    );
    expect(fault).toEqual({ fault: "InvalidLogin", message: "Login failure" });
    const byTag = decodeResponse(
      "X",
      envelope(
        `<soapenv:Fault><faultstring>gone</faultstring><detail><NotAuthenticatedFault/></detail></soapenv:Fault>`,
      ),
    );
    expect(byTag.fault).toEqual({ fault: "NotAuthenticated", message: "gone" });
    expect(decodeResponse("Logout", envelope(`<LogoutResponse xmlns="urn:vim25"></LogoutResponse>`))).toEqual(
      {},
    );
    expect(xsiType({ "@_type": "VirtualMachine", "#text": "vm-1" })).toBeUndefined();
  });

  it("writes back a device it read: xsi:type, MoRefs and field order kept", () => {
    const { returnval } = decodeResponse(
      "X",
      envelope(
        `<XResponse xmlns="urn:vim25"><returnval xsi:type="VirtualE1000"><key>4000</key>` +
          `<backing xsi:type="VirtualEthernetCardNetworkBackingInfo"><deviceName>VM Network</deviceName>` +
          `<network type="Network">network-7</network></backing><controllerKey>100</controllerKey></returnval></XResponse>`,
      ),
    );
    const device = toSoapValue(returnval!);
    expect(device).toEqual({
      $type: "VirtualE1000",
      key: "4000",
      backing: {
        $type: "VirtualEthernetCardNetworkBackingInfo",
        deviceName: "VM Network",
        network: { type: "Network", value: "network-7" },
      },
      controllerKey: "100",
    });
    const xml = encodeRequest(
      "ReconfigVM_Task",
      { type: "VirtualMachine", value: "vm-1" },
      { device: device as never },
    );
    expect(xml).toContain(
      '<device xsi:type="VirtualE1000"><key>4000</key><backing xsi:type="VirtualEthernetCardNetworkBackingInfo">' +
        '<deviceName>VM Network</deviceName><network type="Network">network-7</network></backing>' +
        "<controllerKey>100</controllerKey></device>",
    );
  });
});
