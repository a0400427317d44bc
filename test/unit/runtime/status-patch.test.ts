import { describe, expect, it } from "vitest";
import { appliedStatusFields, canonicalJson, statusNeedsWrite } from "../../../src/runtime/status-patch.js";

const managedFields = [
  {
    manager: "slipway-controller",
    operation: "Apply",
    subresource: "status",
    fieldsV1: { "f:status": { "f:conditions": {}, "f:observedGeneration": {}, "f:apiURL": {} } },
  },
  {
    manager: "slipway-worker",
    operation: "Apply",
    subresource: "status",
    fieldsV1: { "f:status": { "f:lastOperation": {} } },
  },
  { manager: "kubectl", operation: "Update", fieldsV1: { "f:spec": {} } },
];

describe("status writes", () => {
  const object = {
    metadata: { name: "a", namespace: "b", managedFields },
    status: {
      observedGeneration: 2,
      apiURL: "https://x",
      conditions: [{ type: "Ready", status: "True" }],
      lastOperation: { type: "up" },
    },
  };

  it("knows which status fields the controller applied", () => {
    expect([...appliedStatusFields(object, "slipway-controller")].sort()).toEqual([
      "apiURL",
      "conditions",
      "observedGeneration",
    ]);
  });

  it("skips the write when every owned field is equal, whatever the key order", () => {
    expect(
      statusNeedsWrite(
        object,
        { conditions: [{ status: "True", type: "Ready" }], observedGeneration: 2, apiURL: "https://x" },
        "slipway-controller",
      ),
    ).toBe(false);
  });

  it("writes when a field changed or an owned field would be dropped", () => {
    expect(
      statusNeedsWrite(
        object,
        { conditions: [{ type: "Ready", status: "False" }], observedGeneration: 2, apiURL: "https://x" },
        "slipway-controller",
      ),
    ).toBe(true);
    expect(
      statusNeedsWrite(
        object,
        { conditions: [{ type: "Ready", status: "True" }], observedGeneration: 2 },
        "slipway-controller",
      ),
    ).toBe(true);
  });

  it("does not care about fields other managers own", () => {
    expect(
      statusNeedsWrite(
        object,
        { conditions: [{ type: "Ready", status: "True" }], observedGeneration: 2, apiURL: "https://x" },
        "slipway-controller",
      ),
    ).toBe(false);
  });

  it("compares only the condition types a manager sends (conditions is a map keyed by type)", () => {
    const shared = {
      metadata: {
        name: "a",
        namespace: "b",
        managedFields: [
          {
            manager: "slipway-power",
            operation: "Apply",
            subresource: "status",
            fieldsV1: { "f:status": { "f:conditions": { 'k:{"type":"Scheduled"}': {} }, "f:power": {} } },
          },
        ],
      },
      status: {
        conditions: [
          { type: "Ready", status: "True" },
          { type: "Scheduled", status: "True" },
        ],
        power: { source: "Spec" },
      },
    };
    const mine = { conditions: [{ type: "Scheduled", status: "True" }], power: { source: "Spec" } };
    expect(statusNeedsWrite(shared, mine, "slipway-power")).toBe(false);
    expect(
      statusNeedsWrite(
        shared,
        { ...mine, conditions: [{ type: "Scheduled", status: "False" }] },
        "slipway-power",
      ),
    ).toBe(true);
    // A type this manager applied and no longer sends would be removed: that is a change.
    expect(statusNeedsWrite(shared, { ...mine, conditions: [] }, "slipway-power")).toBe(true);
  });

  it("canonical JSON ignores key order and undefined values", () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: 2 } })).toBe(canonicalJson({ a: { c: 2 }, b: 1 }));
  });
});

describe("status writes of several controllers into one conditions list (listType=map)", () => {
  const mine = { type: "Registered", status: "True", reason: "Registered" };
  const object = {
    metadata: {
      name: "a",
      namespace: "b",
      managedFields: [
        {
          manager: "slipway-registration",
          operation: "Apply",
          subresource: "status",
          fieldsV1: {
            "f:status": { "f:conditions": { 'k:{"type":"Registered"}': {}, 'k:{"type":"Joined"}': {} } },
          },
        },
      ],
    },
    status: {
      conditions: [{ type: "Ready", status: "True" }, mine, { type: "Joined", status: "True" }],
    },
  };

  it("compares only the entries a manager sends, not the other managers' ones", () => {
    expect(
      statusNeedsWrite(
        object,
        { conditions: [mine, { type: "Joined", status: "True" }] },
        "slipway-registration",
      ),
    ).toBe(false);
    expect(
      statusNeedsWrite(
        object,
        { conditions: [mine, { type: "Joined", status: "False" }] },
        "slipway-registration",
      ),
    ).toBe(true);
  });

  it("writes when a type it applied before is no longer sent (apply removes it)", () => {
    expect(statusNeedsWrite(object, { conditions: [mine] }, "slipway-registration")).toBe(true);
  });
});
