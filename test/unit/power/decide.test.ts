import { describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import { decidePower, firedHibernateAfter, hibernateAfterDeadline } from "../../../src/power/decide.js";
import { accountUsage } from "../../../src/power/usage.js";
import { usageAt } from "../../../src/api/power-usage.js";

const t = (iso: string) => new Date(iso);

function cd(
  spec: Partial<ClusterDeployment["spec"]> = {},
  status: ClusterDeployment["status"] = {},
  metadata: Partial<ClusterDeployment["metadata"]> = {},
): ClusterDeployment {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name: "a", namespace: "n", uid: "u", creationTimestamp: "2026-05-01T00:00:00Z", ...metadata },
    spec: { clusterName: "a", platform: { simulated: {} }, powerState: "Running", ...spec } as never,
    status,
  };
}

const pooled = (claimName?: string) =>
  cd(
    {
      hibernateAfter: "1h",
      clusterPoolRef: { namespace: "n", poolName: "p", claimName, claimedTimestamp: "2026-05-04T10:00:00Z" },
    },
    { powerState: "Running", provisionedAt: "2026-05-04T08:00:00Z" },
    {
      managedFields: [
        {
          manager: "slipway-cluster-pool",
          fieldsV1: { "f:spec": { "f:clusterPoolRef": { "f:poolName": {} } } },
        },
      ],
    } as never,
  );

describe("hibernateAfter", () => {
  it("counts from the latest of provisioned, claimed and resumed", () => {
    const running = cd(
      { hibernateAfter: "8h" },
      { powerState: "Running", provisionedAt: "2026-05-04T01:00:00Z", lastResumedAt: "2026-05-04T09:00:00Z" },
    );
    expect(hibernateAfterDeadline(running)?.toISOString()).toBe("2026-05-04T17:00:00.000Z");
    expect(hibernateAfterDeadline(pooled("alice"))?.toISOString()).toBe("2026-05-04T11:00:00.000Z");
  });

  it("is due once passed, and only for a running cluster asked to run", () => {
    const running = cd(
      { hibernateAfter: "30m" },
      { powerState: "Running", provisionedAt: "2026-05-04T09:00:00Z" },
    );
    expect(decidePower(running, t("2026-05-04T09:20:00Z")).next).toMatchObject({ source: "HibernateAfter" });
    expect(decidePower(running, t("2026-05-04T09:31:00Z")).due).toEqual([
      { at: t("2026-05-04T09:30:00Z"), source: "HibernateAfter", powerState: "Hibernating" },
    ]);
    const asleep = cd(
      { hibernateAfter: "30m" },
      { powerState: "Hibernating", provisionedAt: "2026-05-04T09:00:00Z" },
    );
    expect(decidePower(asleep, t("2026-05-04T12:00:00Z")).due).toEqual([]);
  });

  it("still names the trigger that fired once spec.powerState is Hibernating, so its outcome gets reported", () => {
    const fired = cd(
      { hibernateAfter: "30m", powerState: "Hibernating" },
      { powerState: "Running", provisionedAt: "2026-05-04T09:00:00Z" },
    );
    expect(firedHibernateAfter(fired, t("2026-05-04T09:31:00Z"))).toEqual({
      at: t("2026-05-04T09:30:00Z"),
      source: "HibernateAfter",
      powerState: "Hibernating",
    });
    // Hibernated by a person before the deadline: nothing fired yet.
    expect(firedHibernateAfter(fired, t("2026-05-04T09:20:00Z"))).toBeUndefined();
    // Running again: nothing fired for the current run.
    const awake = cd(
      { hibernateAfter: "30m" },
      { powerState: "Running", provisionedAt: "2026-05-04T09:00:00Z" },
    );
    expect(firedHibernateAfter(awake, t("2026-05-04T12:00:00Z"))).toBeUndefined();
  });

  it("leaves unclaimed pool clusters to the pool's runningCount", () => {
    const decision = decidePower(pooled(undefined), t("2026-05-04T12:00:00Z"));
    expect(decision.skip?.reason).toBe("PoolManaged");
    expect(decision.due).toEqual([]);
  });
});

describe("skips", () => {
  const nightly = { hibernation: { schedules: [{ start: "0 19 * * *", location: "UTC" }] } };
  const at = t("2026-05-04T19:00:30Z");

  it("consumes a trigger that falls mid-failover instead of applying it later", () => {
    const held = decidePower(cd(nightly, {}, { annotations: { "slipway.dev/failover": "dr-1" } }), at);
    expect(held.skip?.reason).toBe("PowerSkippedFailover");
    expect(held.skip?.message).toContain("dr-1");
    expect(held.heldTrigger).toMatchObject({ at: t("2026-05-04T19:00:00Z"), powerState: "Hibernating" });
    expect(held.due).toEqual([]);
  });

  it("skips deleting and Stalled clusters", () => {
    expect(decidePower(cd(nightly, {}, { deletionTimestamp: "2026-05-04T18:00:00Z" }), at).skip?.reason).toBe(
      "PowerSkippedDeleting",
    );
    const stalled = cd(nightly, {
      conditions: [
        {
          type: "Stalled",
          status: "True",
          reason: "OperationFailed",
          message: "x",
          lastTransitionTime: "2026-05-04T18:00:00Z",
        },
      ],
    });
    expect(decidePower(stalled, at).skip?.reason).toBe("PowerSkippedStalled");
  });

  it("answers an unknown zone with a problem, and still applies hibernateAfter", () => {
    const decision = decidePower(
      cd(
        {
          hibernation: { schedules: [{ start: "0 19 * * *", location: "Europe/Atlantis" }] },
          hibernateAfter: "1h",
        },
        { powerState: "Running", provisionedAt: "2026-05-04T09:00:00Z" },
      ),
      t("2026-05-04T12:00:00Z"),
    );
    expect(decision.problems).toEqual([expect.objectContaining({ field: "location" })]);
    expect(decision.due).toEqual([expect.objectContaining({ source: "HibernateAfter" })]);
  });

  it("acts on no schedule that strands the cluster, not even its due start, and names the window", () => {
    // Created before 08:00; at 08:00:30 the start is due, but its end fires at the same moments and never wakes.
    const decision = decidePower(
      cd({
        hibernation: {
          schedules: [
            { start: "0 19 * * *", location: "UTC" },
            { start: "0 8 * * *", end: "0 8 * * 0-6", location: "UTC" },
          ],
        },
      }),
      t("2026-05-04T08:00:30Z"),
    );
    expect(decision.problems).toEqual([
      expect.objectContaining({
        index: 1,
        field: "end",
        strands: true,
        message: expect.stringContaining("schedules[1]"),
      }),
    ]);
    expect(decision.due).toEqual([]);
    expect(decision.next).toBeUndefined();
    expect(decision.nextHibernateAt).toBeUndefined();
  });
});

describe("cost counters", () => {
  it("count running from creation, hibernated and saved from a scheduled sleep, and read up to now", () => {
    const created = cd({}, { powerState: "Running" });
    const first = accountUsage(created, "Spec", t("2026-05-01T10:00:00Z"));
    expect(first).toMatchObject({ runningSeconds: 36_000, hibernatedSeconds: 0, countedState: "Running" });
    // The schedule hibernated it at 10:00; at 18:00 the controller sees it running again.
    const asleep = accountUsage(
      cd({}, { powerState: "Hibernating" }),
      "Schedule",
      t("2026-05-01T10:00:00Z"),
      first,
    );
    expect(asleep).toMatchObject({
      runningSeconds: 36_000,
      countedState: "Hibernating",
      countedSource: "Schedule",
    });
    const awake = accountUsage(created, "Schedule", t("2026-05-01T18:00:00Z"), asleep);
    expect(awake).toMatchObject({ runningSeconds: 36_000, hibernatedSeconds: 28_800, savedSeconds: 28_800 });
    expect(usageAt(awake, t("2026-05-01T19:00:00Z"))).toEqual({
      runningSeconds: 39_600,
      hibernatedSeconds: 28_800,
      savedSeconds: 28_800,
    });
  });

  it("write nothing new while nothing changed within the hour", () => {
    const usage = accountUsage(cd({}, { powerState: "Running" }), "Spec", t("2026-05-01T10:00:00Z"));
    expect(accountUsage(cd({}, { powerState: "Running" }), "Spec", t("2026-05-01T10:30:00Z"), usage)).toEqual(
      usage,
    );
  });
});
