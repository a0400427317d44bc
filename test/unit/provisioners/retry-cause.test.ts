import { describe, expect, it } from "vitest";
import type { ClusterDeploymentScope } from "../../../src/provisioners/cluster-deployment/scope.js";
import { computeStatus } from "../../../src/provisioners/cluster-deployment/status.js";
import { getCondition } from "../../../src/runtime/conditions.js";
import { clusterDeploymentScope } from "../../builders/cluster-deployment-scope.js";

const now = new Date("2026-11-30T12:00:00Z");

function scope(job: ClusterDeploymentScope["job"]): ClusterDeploymentScope {
  return clusterDeploymentScope({ now, stack: "InProgress", status: { powerState: "Provisioning" }, job });
}

const retryAt = new Date("2026-11-30T12:00:10Z");

function failedAttempt(attemptsMade: number, failedReason: string, id = "u1.g1.up") {
  return { id, state: "delayed" as const, attemptsMade, retryAt, failedReason };
}

describe("a stack job waiting to be retried", () => {
  it("is Ready=False WaitingForRetry with the attempt, the real cause and the next attempt, secrets scrubbed", () => {
    const status = computeStatus(
      scope(failedAttempt(2, "DiskFull: write /state/pulumi/x.json: no space left on device token=s3cr3t")),
    );
    const ready = getCondition(status.conditions as never, "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "WaitingForRetry" });
    expect(ready?.message).toContain(
      "provision attempt 2 failed: DiskFull: write /state/pulumi/x.json: no space left on device",
    );
    expect(ready?.message).toContain("; next attempt at 2026-11-30T12:00:10.000Z");
    expect(ready?.message).not.toContain("s3cr3t");
    // Reconciling and InfrastructureReady say the same: nothing still claims the cluster is merely Provisioning.
    for (const type of ["Reconciling", "InfrastructureReady"])
      expect(getCondition(status.conditions as never, type)?.reason).toBe("WaitingForRetry");
  });

  it("names every retried operation: hibernate, resume, an up for a new generation, destroy", () => {
    const cases: [string, string][] = [
      ["Stopping", "hibernate attempt 4 failed: "],
      ["Starting", "resume attempt 4 failed: "],
      ["Running", "up for generation 1 attempt 4 failed: "],
      ["Deprovisioning", "destroy attempt 4 failed: "],
    ];
    for (const [powerState, words] of cases) {
      const s = clusterDeploymentScope({
        now,
        stack: "InProgress",
        status: { powerState: powerState as never, provisionedAt: "2026-11-29T00:00:00Z" },
        job: failedAttempt(4, "ProviderTransientError: 503 from the cloud API"),
      });
      const ready = getCondition(computeStatus(s).conditions as never, "Ready");
      expect(ready?.reason, powerState).toBe("WaitingForRetry");
      expect(ready?.message, powerState).toContain(`${words}ProviderTransientError: 503 from the cloud API`);
    }
  });

  it("a destroy retried while deleting shows its attempts counted across jobs", () => {
    const s = clusterDeploymentScope({
      now,
      stack: "InProgress",
      status: { powerState: "Deprovisioning" },
      job: {
        ...failedAttempt(1, "ProviderTransientError: 503", "u1.g1.destroy"),
        data: { priorAttempts: 2 } as never,
      },
    });
    s.status.stack = { ...s.status.stack!, type: "destroy", jobId: "u1.g1.destroy" };
    s.cd.metadata!.deletionTimestamp = now.toISOString();
    const ready = getCondition(computeStatus(s).conditions as never, "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "WaitingForRetry" });
    expect(ready?.message).toMatch(
      /^destroy attempt 3 failed: ProviderTransientError: 503; next attempt at /,
    );
  });

  it("an up the controller queues again (its worker kept dying) waits for retry, not OperationFailed", () => {
    const s = clusterDeploymentScope({ now, stack: "InProgress", status: { powerState: "Provisioning" } });
    s.status.stack = {
      ...s.status.stack!,
      result: "Failed",
      message: "job stalled more than allowable limit",
      retry: { count: 0, failedAttempts: 3, nextAt: "2026-11-30T12:00:05.000Z" },
    };
    const ready = getCondition(computeStatus(s).conditions as never, "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "WaitingForRetry" });
    expect(ready?.message).toBe(
      "provision attempt 3 failed: job stalled more than allowable limit; next attempt at 2026-11-30T12:00:05.000Z",
    );
  });

  it("a failing drift check keeps a running cluster Ready, and says it is retried", () => {
    const s = clusterDeploymentScope({
      now,
      stack: "InProgress",
      status: {
        powerState: "Running",
        apiURL: "https://10.0.0.1:6443",
        provisionedAt: "2026-11-29T00:00:00Z",
      },
      job: failedAttempt(2, "ProviderTransientError: timeout", "u1.g1.refresh.r1"),
    });
    s.status.stack = { ...s.status.stack!, type: "refresh", jobId: "u1.g1.refresh.r1" };
    const ready = getCondition(computeStatus(s).conditions as never, "Ready");
    expect(ready).toMatchObject({ status: "True", reason: "ClusterRunning" });
    expect(ready?.message).toContain(
      "drift check (refresh) attempt 2 failed: ProviderTransientError: timeout",
    );
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
