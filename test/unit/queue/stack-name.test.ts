import { describe, expect, it } from "vitest";
import { derivedName, MAX_LABEL_VALUE, MAX_OBJECT_NAME } from "../../../src/api/names.js";
import { MAX_STACK_NAME, stackNameFor } from "../../../src/queue/stack-job.js";

const uid = "0f4e2b6a-1c3d-4e5f-8a9b-0c1d2e3f4a5b";

describe("stackNameFor", () => {
  it("keeps the readable name of ordinary resources, stable for their lifetime", () => {
    expect(stackNameFor({ namespace: "team-a", name: "dev-1", uid })).toBe("team-a-dev-1-0f4e2b6a");
  });

  it("fits names of any length admission accepts into a file name, and keeps them apart", () => {
    const namespace = "n".repeat(63);
    const a = stackNameFor({ namespace, name: `${"a".repeat(252)}x`, uid });
    const b = stackNameFor({ namespace, name: `${"a".repeat(252)}y`, uid });
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(MAX_STACK_NAME);
      expect(name).toMatch(/^n+-a+-[0-9a-f]{16}$/);
    }
    expect(a).not.toBe(b);
    expect(stackNameFor({ namespace, name: `${"a".repeat(252)}x`, uid })).toBe(a);
  });
});

describe("derivedName", () => {
  it("adds the suffix to names that fit, and cuts and hashes the ones that would not", () => {
    expect(derivedName("dev-1", "-admin-kubeconfig")).toBe("dev-1-admin-kubeconfig");
    const long = derivedName(`${"a".repeat(245)}`, "-admin-kubeconfig");
    expect(long.length).toBeLessThanOrEqual(MAX_OBJECT_NAME);
    expect(long).toMatch(/^a+-[0-9a-f]{10}-admin-kubeconfig$/);
    expect(derivedName(`${"a".repeat(244)}b`, "-admin-kubeconfig")).not.toBe(long);
    expect(derivedName("x".repeat(100), "", MAX_LABEL_VALUE)).toHaveLength(MAX_LABEL_VALUE);
  });
});
