import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import {
  approvalDecision,
  CLIENT_SIGNER,
  type CsrView,
} from "../../../src/bootstrap/registration/csr-approval.js";
import { csrSubject } from "../../../src/bootstrap/registration/csr-subject.js";
import {
  desiredManagedCluster,
  managedClusterLabels,
} from "../../../src/bootstrap/registration/managed-cluster.js";
import {
  bootstrapUser,
  CLUSTER_SET_LABEL,
  CSR_CLUSTER_NAME_LABEL,
} from "../../../src/bootstrap/registration/names.js";
import { refreshDue, untilRefreshDue } from "../../../src/bootstrap/registration/phases.js";
import { joinedCondition, registeredCondition } from "../../../src/bootstrap/registration/status.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

const dir = temporaryFolders("slipway-csr-")();

/** A real PKCS#10 request, as OCM's agent makes one (openssl, an EC key). */
function csrPem(subject: string): string {
  const key = join(dir, `${Math.random()}.key`);
  execFileSync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
  return execFileSync("openssl", ["req", "-new", "-key", key, "-subj", subject], { encoding: "utf8" });
}

function csr(
  cluster: string,
  subject: string,
  overrides: Partial<NonNullable<CsrView["spec"]>> = {},
): CsrView {
  return {
    metadata: { name: `${cluster}-abc`, labels: { [CSR_CLUSTER_NAME_LABEL]: cluster } },
    spec: {
      username: bootstrapUser(cluster),
      signerName: CLIENT_SIGNER,
      usages: ["digital signature", "key encipherment", "client auth"],
      request: Buffer.from(csrPem(subject)).toString("base64"),
      ...overrides,
    },
  };
}

const agentSubject = (cluster: string) =>
  `/O=system:open-cluster-management:${cluster}/O=system:open-cluster-management:managed-clusters/CN=system:open-cluster-management:${cluster}:agent1`;

describe("CSR approval: Slipway vouches only for its own clusters' agents", () => {
  it("reads CN and every O of a real request", () => {
    const subject = csrSubject(Buffer.from(csrPem(agentSubject("alpha"))));
    expect(subject.commonName).toBe("system:open-cluster-management:alpha:agent1");
    expect(subject.organizations).toEqual([
      "system:open-cluster-management:alpha",
      "system:open-cluster-management:managed-clusters",
    ]);
  });

  it("approves the cluster's agent asking with the cluster's own bootstrap identity", () => {
    expect(approvalDecision(csr("alpha", agentSubject("alpha")), "alpha")).toEqual({ approve: true });
  });

  it("refuses cluster A's bootstrap identity asking for cluster B's certificate, however it is labelled", () => {
    const forged = csr("beta", agentSubject("beta"), { username: bootstrapUser("alpha") });
    expect(approvalDecision(forged, "beta")).toMatchObject({ approve: false });
    const subjectOfB = csr("alpha", agentSubject("beta"));
    expect(approvalDecision(subjectOfB, "alpha")).toMatchObject({ approve: false });
  });

  it("refuses an unknown requester, another signer, extra usages and extra groups", () => {
    expect(
      approvalDecision(csr("alpha", agentSubject("alpha"), { username: "mallory" }), "alpha").approve,
    ).toBe(false);
    expect(
      approvalDecision(
        csr("alpha", agentSubject("alpha"), { signerName: "kubernetes.io/kubelet-serving" }),
        "alpha",
      ).approve,
    ).toBe(false);
    expect(
      approvalDecision(
        csr("alpha", agentSubject("alpha"), { usages: ["client auth", "server auth"] }),
        "alpha",
      ).approve,
    ).toBe(false);
    const admin = csr(
      "alpha",
      `/O=system:masters/O=system:open-cluster-management:alpha/CN=system:open-cluster-management:alpha:x`,
    );
    expect(approvalDecision(admin, "alpha").approve).toBe(false);
    expect(approvalDecision(csr("alpha", "/CN=system:admin"), "alpha").approve).toBe(false);
  });

  it("leaves a decided request alone and refuses garbage", () => {
    const decided = {
      ...csr("alpha", agentSubject("alpha")),
      status: { conditions: [{ type: "Approved" }] },
    };
    expect(approvalDecision(decided, "alpha")).toMatchObject({ approve: false, why: "already decided" });
    expect(
      approvalDecision(csr("alpha", agentSubject("alpha"), { request: "bm90IGEgY3Ny" }), "alpha").approve,
    ).toBe(false);
  });
});

function cd(overrides: Partial<ClusterDeployment["spec"]> = {}): ClusterDeployment {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name: "dev", namespace: "team-a", uid: "1234-uid", generation: 3 },
    spec: {
      clusterName: "dev-a",
      platform: { aws: { region: "eu-west-1" } },
      registration: {
        enabled: true,
        clusterSet: "edge",
        labels: { env: "dev", [CLUSTER_SET_LABEL]: "other" },
      },
      clusterPoolRef: { namespace: "team-a", poolName: "small" },
      ...overrides,
    } as ClusterDeployment["spec"],
  };
}

describe("the ManagedCluster Slipway applies", () => {
  it("carries platform, region, pool, spec labels and the clusterset, which a spec label cannot override", () => {
    expect(managedClusterLabels(cd())).toMatchObject({
      env: "dev",
      "slipway.dev/platform": "aws",
      "slipway.dev/region": "eu-west-1",
      "slipway.dev/cluster-pool": "small",
      [CLUSTER_SET_LABEL]: "edge",
      "slipway.dev/cluster-deployment-uid": "1234-uid",
    });
  });

  it("is accepted by Slipway, with the API URL, CA and lease it chose", () => {
    const mc = desiredManagedCluster(cd(), { apiURL: "https://x:6443", caBundle: "Q0E=" }, 30);
    expect(mc.metadata?.name).toBe("dev-a");
    expect(mc.spec).toEqual({
      hubAcceptsClient: true,
      leaseDurationSeconds: 30,
      managedClusterClientConfigs: [{ url: "https://x:6443", caBundle: "Q0E=" }],
    });
  });
});

const mc = (conditions: { type: string; status: string; reason?: string; message?: string }[]) => ({
  metadata: { name: "dev-a" },
  status: { conditions },
});

describe("Joined mirrors OCM", () => {
  const joined = { type: "ManagedClusterJoined", status: "True", reason: "ManagedClusterJoined" };
  it("is True with OCM's reason once joined and available", () => {
    const c = joinedCondition(
      mc([
        joined,
        {
          type: "ManagedClusterConditionAvailable",
          status: "True",
          reason: "ManagedClusterAvailable",
          message: "ok",
        },
      ]),
      "Registered",
      false,
    );
    expect(c).toMatchObject({ status: "True", reason: "ManagedClusterAvailable" });
  });

  it("is OCM's fault when a running cluster is unavailable", () => {
    const c = joinedCondition(
      mc([
        joined,
        {
          type: "ManagedClusterConditionAvailable",
          status: "Unknown",
          reason: "ManagedClusterLeaseUpdateStopped",
        },
      ]),
      "Registered",
      false,
    );
    expect(c).toMatchObject({ status: "Unknown", reason: "ManagedClusterLeaseUpdateStopped" });
  });

  it("shows a hibernating cluster OCM cannot reach as expected, reason Hibernating", () => {
    const c = joinedCondition(
      mc([
        joined,
        {
          type: "ManagedClusterConditionAvailable",
          status: "False",
          reason: "ManagedClusterKubeAPIServerUnavailable",
        },
      ]),
      "Paused",
      true,
    );
    expect(c).toMatchObject({ status: "Unknown", reason: "Hibernating" });
    expect(c.message).toContain("ManagedClusterKubeAPIServerUnavailable");
  });

  it("waits for the agent before OCM says anything", () => {
    expect(joinedCondition(undefined, "Registering", false)).toMatchObject({
      status: "Unknown",
      reason: "WaitingForAgent",
    });
  });

  it("Registered says what Slipway did", () => {
    expect(registeredCondition("Registered", undefined, undefined)).toMatchObject({
      status: "True",
      reason: "Registered",
    });
    expect(registeredCondition(undefined, undefined, undefined)).toMatchObject({
      status: "Unknown",
      reason: "WaitingForProvisioning",
    });
    expect(
      registeredCondition("Registering", undefined, {
        type: "register",
        jobId: "j",
        generation: 1,
        result: "Failed",
        message: "spoke refused",
      }),
    ).toMatchObject({ status: "False", reason: "RegistrationFailed", message: "spoke refused" });
    // A cluster registered before stays Registered while a resume refreshes its agent material.
    expect(
      registeredCondition("Registering", undefined, {
        type: "register",
        jobId: "j2",
        generation: 4,
        result: "InProgress",
        registeredAt: "2026-11-30T10:00:00Z",
      }),
    ).toMatchObject({ status: "True", reason: "Registered" });
  });
});

describe("refreshing a real agent's material", () => {
  const t0 = Date.parse("2026-05-04T10:00:00Z");
  const settings = { leaseDurationSeconds: 30, resyncSeconds: 600, repairAfterSeconds: 120 };
  function scope(opts: {
    platform?: object;
    minutesSinceJob: number;
    available?: { status: string; minutesAgo: number };
    infrastructureReady?: boolean;
  }) {
    const now = new Date(t0 + opts.minutesSinceJob * 60_000);
    const cd = {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterDeployment",
      metadata: { name: "a", namespace: "n", uid: "u" },
      spec: { clusterName: "a", platform: opts.platform ?? { local: {} } },
      status: {
        conditions: [
          {
            type: "InfrastructureReady",
            status: opts.infrastructureReady === false ? "False" : "True",
            reason: "ClusterRunning",
            message: "",
            lastTransitionTime: "2026-05-04T09:00:00Z",
          },
        ],
      },
    } as unknown as ClusterDeployment;
    const conditions = [{ type: "ManagedClusterJoined", status: "True" }];
    if (opts.available)
      conditions.push({
        type: "ManagedClusterConditionAvailable",
        status: opts.available.status,
        reason: "ManagedClusterLeaseUpdateStopped",
        lastTransitionTime: new Date(now.getTime() - opts.available.minutesAgo * 60_000).toISOString(),
      } as never);
    return {
      cd,
      now,
      record: {
        type: "register",
        result: "Succeeded",
        jobId: "u.g1.register",
        finishedAt: new Date(t0).toISOString(),
      } as never,
      managedCluster: { status: { conditions } } as never,
      deps: { settings } as never,
    };
  }

  it("re-applies it once per resync period, under an id derived from the job before", () => {
    expect(
      refreshDue(scope({ minutesSinceJob: 9, available: { status: "True", minutesAgo: 9 } })),
    ).toBeUndefined();
    expect(refreshDue(scope({ minutesSinceJob: 10, available: { status: "True", minutesAgo: 10 } }))).toEqual(
      {
        suffix: `refresh${t0}`,
        repair: false,
      },
    );
  });

  it("repairs a running cluster OCM has not heard from for repairAfterSeconds, at most that often", () => {
    const due = refreshDue(scope({ minutesSinceJob: 5, available: { status: "Unknown", minutesAgo: 2 } }));
    expect(due).toMatchObject({ suffix: `repair${t0}`, repair: true });
    expect(due?.why).toContain("unreachable for 120 s (ManagedClusterLeaseUpdateStopped)");
    // Lost for less than the grace, or the last job (a repair) ended too recently: not yet.
    expect(
      refreshDue(scope({ minutesSinceJob: 5, available: { status: "Unknown", minutesAgo: 1 } })),
    ).toBeUndefined();
    expect(
      refreshDue(scope({ minutesSinceJob: 1, available: { status: "Unknown", minutesAgo: 3 } })),
    ).toBeUndefined();
  });

  it("comes back when the resync or the repair falls due, not a fixed minute later", () => {
    // Resync every 10 minutes: 9 minutes after the job, the next check is one minute away.
    expect(untilRefreshDue(scope({ minutesSinceJob: 9, available: { status: "True", minutesAgo: 9 } }))).toBe(
      60_000,
    );
    // Lost for one minute of the two the repair waits for: a minute away, not the resync's four.
    expect(
      untilRefreshDue(scope({ minutesSinceJob: 6, available: { status: "Unknown", minutesAgo: 1 } })),
    ).toBe(60_000);
    // A repair is due once the last job is that old too.
    expect(
      untilRefreshDue(scope({ minutesSinceJob: 0.5, available: { status: "Unknown", minutesAgo: 3 } })),
    ).toBe(90_000);
    // Overdue: soon, not at once (a second), so passes never spin.
    expect(
      untilRefreshDue(scope({ minutesSinceJob: 11, available: { status: "True", minutesAgo: 9 } })),
    ).toBe(1_000);
    expect(untilRefreshDue(scope({ platform: { simulated: {} }, minutesSinceJob: 1 }))).toBeUndefined();
  });

  it("leaves clusters whose infrastructure is not running, and simulated agents, alone", () => {
    const down = scope({
      minutesSinceJob: 5,
      available: { status: "False", minutesAgo: 3 },
      infrastructureReady: false,
    });
    expect(refreshDue(down)).toBeUndefined();
    const simulated = scope({
      platform: { simulated: {} },
      minutesSinceJob: 30,
      available: { status: "Unknown", minutesAgo: 20 },
    });
    expect(refreshDue(simulated)).toBeUndefined();
  });
});
