import { describe, expect, it } from "vitest";
import type { ClusterDeploymentScope } from "../../../src/provisioners/cluster-deployment/scope.js";
import { computeStatus } from "../../../src/provisioners/cluster-deployment/status.js";
import { getCondition, type Condition } from "../../../src/runtime/conditions.js";
import { clusterDeploymentScope } from "../../builders/cluster-deployment-scope.js";

const now = new Date("2026-11-30T12:00:00Z");

/** A provisioned, running cluster whose stack run succeeded, with whatever other controllers reported. */
function runningScope(foreign: Condition[]): ClusterDeploymentScope {
  return clusterDeploymentScope({
    now,
    stack: "Succeeded",
    status: { powerState: "Running", provisionedAt: now.toISOString(), conditions: foreign },
  });
}

const condition = (
  type: string,
  status: Condition["status"],
  reason: string,
  message: string,
): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: now.toISOString(),
});

describe("conditions other controllers own", () => {
  it("are summarized by Ready once reported, and never sent by this controller", () => {
    const status = computeStatus(
      runningScope([
        condition("Registered", "True", "ManagedClusterCreated", "registered"),
        condition("Bootstrapped", "False", "NonCompliant", "policy baseline: namespace team-a missing"),
      ]),
    );
    const conditions = status.conditions as Condition[];
    expect(getCondition(conditions, "Ready")).toMatchObject({
      status: "False",
      reason: "NonCompliant",
      message: "policy baseline: namespace team-a missing",
    });
    expect(conditions.map((c) => c.type)).not.toContain("Registered");
    expect(conditions.map((c) => c.type)).not.toContain("Bootstrapped");
  });

  it("a Bootstrapped verdict from before the resume this pass records does not make Ready True", () => {
    const scope = runningScope([
      condition("Bootstrapped", "True", "PoliciesCompliant", "compliant with baseline"),
    ]);
    scope.status.lastResumedAt = now.toISOString();
    scope.status.bootstrap = { policies: 1, compliantPolicies: 1, evaluatedAt: "2026-11-29T08:00:00Z" };
    const ready = getCondition(computeStatus(scope).conditions as Condition[], "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "AwaitingEvaluation" });
    expect(ready?.message).toContain("evaluate it again");

    scope.status.bootstrap = { policies: 1, compliantPolicies: 1, evaluatedAt: now.toISOString() };
    expect(getCondition(computeStatus(scope).conditions as Condition[], "Ready")?.status).toBe("True");
  });

  it("do not hold Ready back before their controllers report them", () => {
    const status = computeStatus(runningScope([]));
    expect(getCondition(status.conditions as Condition[], "Ready")?.status).toBe("True");
  });
});
