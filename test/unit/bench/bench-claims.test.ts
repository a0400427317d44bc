import { describe, expect, it } from "vitest";
import { kubeconfigServer, percentile, summarize } from "../../../src/bench/bench-claims.js";

describe("bench claims figures", () => {
  it("takes nearest-rank percentiles: p50 of 1..100 is 50, p99 is 99, p99 of 50 samples is the largest", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(
      percentile(
        Array.from({ length: 50 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(50);
    expect(percentile([7], 99)).toBe(7);
  });

  it("summarizes unsorted samples", () => {
    expect(summarize([300, 100, 200, 400])).toEqual({
      count: 4,
      min: 100,
      p50: 200,
      p99: 400,
      max: 400,
      mean: 250,
    });
  });

  it("reads the server of a kubeconfig and rejects text that is not one", () => {
    const kubeconfig = [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: c",
      "  cluster:",
      "    server: https://simulated.invalid/c",
      "users:",
      "- name: u",
      "  user:",
      "    token: t",
      "contexts:",
      "- name: c",
      "  context:",
      "    cluster: c",
      "    user: u",
      "current-context: c",
    ].join("\n");
    expect(kubeconfigServer(Buffer.from(kubeconfig).toString("base64"))).toBe("https://simulated.invalid/c");
    expect(kubeconfigServer(Buffer.from("not: [a kubeconfig").toString("base64"))).toBeUndefined();
  });
});
