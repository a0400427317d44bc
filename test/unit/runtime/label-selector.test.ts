import { describe, expect, it } from "vitest";
import {
  formatLabelSelector,
  matchesLabelSelector,
  parseLabelSelector,
} from "../../../src/runtime/label-selector.js";

describe("label selectors", () => {
  const labels = { env: "prod", tier: "gold", "slipway.dev/pool": "ci" };

  it("matches the string form with equality, set and existence terms", () => {
    expect(matchesLabelSelector(labels, "env=prod")).toBe(true);
    expect(matchesLabelSelector(labels, "env==prod,tier!=silver")).toBe(true);
    expect(matchesLabelSelector(labels, "env in (dev, prod),tier notin (bronze)")).toBe(true);
    expect(matchesLabelSelector(labels, "slipway.dev/pool,!deleted")).toBe(true);
    expect(matchesLabelSelector(labels, "env=dev")).toBe(false);
    expect(matchesLabelSelector(labels, "missing")).toBe(false);
    expect(matchesLabelSelector(labels, "env notin (prod)")).toBe(false);
  });

  it("treats NotIn and != as matching objects without the label, like Kubernetes", () => {
    expect(matchesLabelSelector({}, "env!=prod")).toBe(true);
    expect(matchesLabelSelector(undefined, "env notin (prod)")).toBe(true);
  });

  it("an empty selector matches everything", () => {
    expect(matchesLabelSelector(labels, "")).toBe(true);
    expect(matchesLabelSelector(labels, {})).toBe(true);
  });

  it("accepts plain match labels and LabelSelector objects", () => {
    expect(matchesLabelSelector(labels, { env: "prod" })).toBe(true);
    expect(
      matchesLabelSelector(labels, {
        matchLabels: { env: "prod" },
        matchExpressions: [{ key: "tier", operator: "In", values: ["gold"] }],
      }),
    ).toBe(true);
    expect(
      matchesLabelSelector(labels, { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }),
    ).toBe(false);
  });

  it("refuses malformed selectors instead of matching everything", () => {
    expect(() => parseLabelSelector("env==")).not.toThrow();
    expect(() => parseLabelSelector("env in prod")).toThrow(/invalid label selector/);
  });

  it("formats back to the URL form", () => {
    expect(
      formatLabelSelector({
        matchLabels: { a: "1" },
        matchExpressions: [{ key: "b", operator: "NotIn", values: ["x", "y"] }],
      }),
    ).toBe("a=1,b notin (x,y)");
  });
});
