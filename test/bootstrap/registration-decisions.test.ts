import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../src/api/index.js";
import {
  approvalDecision,
  CLIENT_SIGNER,
  type CsrView,
} from "../../src/bootstrap/registration/csr-approval.js";
import { csrSubject } from "../../src/bootstrap/registration/csr-subject.js";
import {
  desiredManagedCluster,
  managedClusterLabels,
} from "../../src/bootstrap/registration/managed-cluster.js";
import {
  bootstrapUser,
  CLUSTER_SET_LABEL,
  CSR_CLUSTER_NAME_LABEL,
} from "../../src/bootstrap/registration/names.js";
import { joinedCondition, registeredCondition } from "../../src/bootstrap/registration/status.js";

const dir = mkdtempSync(join(tmpdir(), "slipway-csr-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
