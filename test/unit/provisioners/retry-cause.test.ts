import { describe, expect, it } from "vitest";
import type { ClusterDeploymentScope } from "../../../src/provisioners/cluster-deployment/scope.js";
import { computeStatus } from "../../../src/provisioners/cluster-deployment/status.js";
import { getCondition } from "../../../src/runtime/conditions.js";
import { clusterDeploymentScope } from "../../builders/cluster-deployment-scope.js";

const now = new Date("2026-11-30T12:00:00Z");

function scope(job: ClusterDeploymentScope["job"]): ClusterDeploymentScope {
  return clusterDeploymentScope({ now, stack: "InProgress", status: { powerState: "Provisioning" }, job });
}

describe("a stack job waiting to be retried", () => {
  it("shows the real cause of its last failed attempt in Reconciling, secrets scrubbed", () => {
    const status = computeStatus(
      scope({
        id: "u1.g1.up",
        state: "delayed",
        attemptsMade: 2,
        retryAt: new Date("2026-11-30T12:00:10Z"),
        failedReason: "DiskFull: write /state/pulumi/x.json: no space left on device token=s3cr3t",
      }),
    );
    const reconciling = getCondition(status.conditions as never, "Reconciling");
    expect(reconciling?.message).toContain(
      "attempt 2 failed: DiskFull: write /state/pulumi/x.json: no space left on device",
    );
    expect(reconciling?.message).toContain("; retrying at 2026-11-30T12:00:10.000Z");
    expect(reconciling?.message).not.toContain("s3cr3t");
  });

  it("says nothing of failures while the job runs or before any attempt failed", () => {
    for (const job of [
      { id: "u1.g1.up", state: "active" as const, attemptsMade: 1, failedReason: "DiskFull: earlier" },
      { id: "u1.g1.up", state: "waiting" as const, attemptsMade: 0 },
    ]) {
      const message = getCondition(computeStatus(scope(job)).conditions as never, "Reconciling")?.message;
      expect(message).not.toContain("failed");
    }
  });
});
