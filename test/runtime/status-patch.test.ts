import { describe, expect, it } from "vitest";
import { appliedStatusFields, canonicalJson, statusNeedsWrite } from "../../src/runtime/status-patch.js";

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

describe("status writes of a controller that owns some condition types of a shared list", () => {
  const shared = {
    metadata: {
      name: "a",
      namespace: "b",
      managedFields: [
        {
          manager: "slipway-cluster-bootstrap",
          operation: "Apply",
          subresource: "status",
          fieldsV1: {
            "f:status": { "f:conditions": { 'k:{"type":"Bootstrapped"}': {} }, "f:bootstrap": {} },
          },
        },
      ],
    },
    status: {
      conditions: [
        { type: "Ready", status: "True" },
        { type: "Bootstrapped", status: "True", reason: "NoPoliciesSelect" },
      ],
      bootstrap: { policies: 0 },
    },
  };

  it("compares only the condition types it sends: others' conditions never make it write", () => {
    const desired = {
      conditions: [{ type: "Bootstrapped", status: "True", reason: "NoPoliciesSelect" }],
      bootstrap: { policies: 0 },
    };
    expect(statusNeedsWrite(shared, desired, "slipway-cluster-bootstrap")).toBe(false);
  });

  it("writes when its own condition changed, or when it no longer sends a type it applied", () => {
    const changed = [{ type: "Bootstrapped", status: "False", reason: "PoliciesNonCompliant" }];
    expect(
      statusNeedsWrite(
        shared,
        { conditions: changed, bootstrap: { policies: 0 } },
        "slipway-cluster-bootstrap",
      ),
    ).toBe(true);
    expect(
      statusNeedsWrite(shared, { conditions: [], bootstrap: { policies: 0 } }, "slipway-cluster-bootstrap"),
    ).toBe(true);
  });
});
