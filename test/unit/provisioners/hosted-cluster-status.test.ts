import { describe, expect, it } from "vitest";
import type { HostedCluster } from "../../../src/api/index.js";
import { TerminalError } from "../../../src/errors/index.js";
import { computeStatus } from "../../../src/provisioners/hosted-cluster/status.js";
import type { HostedClusterScope } from "../../../src/provisioners/hosted-cluster/scope.js";
import { getCondition, summaryState, type Condition } from "../../../src/runtime/conditions.js";

const now = new Date("2026-12-07T10:00:00Z");

function scope(
  status: NonNullable<HostedCluster["status"]>,
  spec: Partial<HostedCluster["spec"]> = {},
  extra: Partial<HostedClusterScope> = {},
  deleting = false,
): HostedClusterScope {
  const hc = {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "HostedCluster",
    metadata: {
      name: "tenant",
      namespace: "ns",
      uid: "0123456789",
      generation: 2,
      ...(deleting ? { deletionTimestamp: now.toISOString() } : {}),
    },
    spec: { release: { version: "1.36" }, platform: { local: {} }, ...spec },
  } as unknown as HostedCluster;
  return { hc, deps: {} as never, event: async () => undefined, now, status, ...extra };
}

const up = (result: "InProgress" | "Succeeded" | "Failed", more: object = {}) => ({
  stack: { type: "up" as const, jobId: "0123.g2.up", generation: 2, result, ...more },
});
const cond = (status: NonNullable<HostedCluster["status"]>, type: string) =>
  getCondition(status.conditions as Condition[], type);

describe("HostedCluster status (HyperShift's conditions, Ready as their summary)", () => {
  it("says what is being done while the control plane is created: Progressing, not yet Available", () => {
    const status = computeStatus(scope({ ...up("InProgress"), powerState: "Provisioning" }));
    expect(cond(status, "Available")).toMatchObject({ status: "False", reason: "Provisioning" });
    expect(cond(status, "Progressing")).toMatchObject({ status: "True", reason: "Provisioning" });
    expect(cond(status, "Degraded")).toMatchObject({ status: "False", reason: "AsExpected" });
    expect(summaryState(status.conditions as Condition[])).toBe("Reconciling");
    expect(status.platform).toBe("local");
  });

  it("is Available and Ready once the control plane serves its API", () => {
    const status = computeStatus(
      scope({ ...up("Succeeded"), powerState: "Running", apiURL: "https://127.0.0.1:6443" }),
    );
    expect(cond(status, "Available")).toMatchObject({ status: "True", reason: "ControlPlaneAvailable" });
    expect(cond(status, "Available")?.message).toContain("https://127.0.0.1:6443");
    expect(cond(status, "Progressing")?.status).toBe("False");
    expect(cond(status, "Ready")?.status).toBe("True");
  });

  it("hibernating as the spec asks is not Available but is Ready", () => {
    const status = computeStatus(
      scope({ ...up("Succeeded"), powerState: "Hibernating" }, { powerState: "Hibernating" }),
    );
    expect(cond(status, "Available")).toMatchObject({ status: "False", reason: "Hibernating" });
    expect(cond(status, "Hibernating")?.status).toBe("True");
    expect(cond(status, "Ready")).toMatchObject({ status: "True", reason: "Hibernating" });
  });

  it("stalls with the program's reason and words", () => {
    const error = new TerminalError("UnsupportedAvailabilityPolicy", "local runs SingleReplica");
    const status = computeStatus(scope({}, { controllerAvailabilityPolicy: "HighlyAvailable" }), error);
    expect(cond(status, "Stalled")).toMatchObject({
      status: "True",
      reason: "UnsupportedAvailabilityPolicy",
    });
    expect(cond(status, "Available")).toMatchObject({
      status: "False",
      reason: "UnsupportedAvailabilityPolicy",
    });
    expect(cond(status, "Progressing")?.status).toBe("False");
  });

  it("applied but its pods not ready (management mode) is not Available, with the platform's words", () => {
    const status = computeStatus(
      scope(
        { ...up("Succeeded"), powerState: "Running", apiURL: "https://10.0.0.1:6443" },
        {},
        { waitingForPods: "applied, waiting for pods: etcd 0/1 ready" },
      ),
    );
    expect(cond(status, "Available")).toMatchObject({
      status: "False",
      reason: "WaitingForControlPlanePods",
      message: "applied, waiting for pods: etcd 0/1 ready",
    });
  });

  it("drift (processes died) is Degraded and not Available until the repair", () => {
    const status = computeStatus(
      scope(
        { ...up("Succeeded"), powerState: "Running", apiURL: "https://127.0.0.1:6443" },
        {},
        { drift: "the control plane is Stopped but the spec asks for Running" },
      ),
    );
    expect(cond(status, "Degraded")).toMatchObject({ status: "True", reason: "DriftDetected" });
    expect(cond(status, "Available")).toMatchObject({ status: "False", reason: "DriftDetected" });
  });

  it("deleting names the NodePools it waits for before the control plane goes", () => {
    const status = computeStatus(
      scope({ ...up("Succeeded"), powerState: "Running" }, {}, { nodePoolsLeft: ["workers", "batch"] }, true),
    );
    expect(cond(status, "Reconciling")).toMatchObject({ status: "True", reason: "WaitingForNodePools" });
    expect(cond(status, "Reconciling")?.message).toContain("workers, batch");
  });

  it("answers spec.dns.baseDomain, which no platform acts on yet, with FieldsNotActedOn", () => {
    const status = computeStatus(scope({}, { dns: { baseDomain: "clusters.example.com" } }));
    expect(cond(status, "FieldsNotActedOn")).toMatchObject({ status: "True", reason: "NotImplementedYet" });
    expect(cond(status, "FieldsNotActedOn")?.message).toContain("spec.dns.baseDomain");
  });

  it("never writes the records other controllers own", () => {
    const status = computeStatus(scope({ registration: { phase: "Joined" }, power: {} } as never));
    expect(status).not.toHaveProperty("registration");
    expect(status).not.toHaveProperty("power");
  });
});
