import { describe, expect, it } from "vitest";
import type { BootstrapPolicy } from "../../../src/api/index.js";
import { policyRows } from "../../../src/cli/get.js";

const now = Date.parse("2026-06-01T12:00:00Z");

describe("slipway get policies", () => {
  it("lists each policy, then one line per policy and cluster with its compliance", () => {
    const policy = {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "BootstrapPolicy",
      metadata: { name: "baseline", namespace: "team", creationTimestamp: "2026-06-01T11:55:00Z" },
      spec: { remediationAction: "enforce", severity: "medium", objectTemplates: [] },
      status: {
        compliant: "NonCompliant",
        conditions: [
          { type: "Ready", status: "True", reason: "Evaluated", message: "", lastTransitionTime: "" },
        ],
        clusters: [
          {
            name: "alpha",
            compliant: "Compliant",
            lastEvaluated: "2026-06-01T11:59:48Z",
            message: "4 objects as required",
          },
          {
            name: "beta",
            compliant: "NonCompliant",
            lastEvaluated: "2026-06-01T11:59:50Z",
            message: "Namespace x is missing",
          },
        ],
      },
    } as unknown as BootstrapPolicy;
    const out = policyRows([policy], false, now);
    const lines = out.split("\n");
    expect(lines[0]).toMatch(/^NAME\s+REMEDIATION\s+SEVERITY\s+COMPLIANT\s+CLUSTERS\s+READY\s+AGE$/);
    expect(lines[1]).toMatch(/^baseline\s+enforce\s+medium\s+NonCompliant\s+1\/2\s+True\s+5m$/);
    expect(lines[3]).toMatch(/^POLICY\s+CLUSTER\s+COMPLIANT\s+EVALUATED\s+MESSAGE$/);
    expect(lines[4]).toMatch(/^baseline\s+alpha\s+Compliant\s+12s ago\s+4 objects as required$/);
    expect(lines[5]).toMatch(/^baseline\s+beta\s+NonCompliant\s+10s ago\s+Namespace x is missing$/);
  });

  it("shows each cluster as Kind/name once a ClusterDeployment and a HostedCluster share a name", () => {
    const entry = (kind: string) => ({
      kind,
      name: "x",
      compliant: "Compliant",
      lastEvaluated: "2026-06-01T11:59:48Z",
    });
    const policy = {
      metadata: { name: "baseline", namespace: "team", creationTimestamp: "2026-06-01T11:55:00Z" },
      spec: { objectTemplates: [] },
      status: { compliant: "Compliant", clusters: [entry("ClusterDeployment"), entry("HostedCluster")] },
    } as unknown as BootstrapPolicy;
    const lines = policyRows([policy], false, now).split("\n");
    expect(lines[1]).toMatch(/^baseline\s+inform\s+low\s+Compliant\s+2\/2\s/);
    expect(lines[4]).toMatch(/^baseline\s+ClusterDeployment\/x\s+Compliant\s/);
    expect(lines[5]).toMatch(/^baseline\s+HostedCluster\/x\s+Compliant\s/);
  });
});
