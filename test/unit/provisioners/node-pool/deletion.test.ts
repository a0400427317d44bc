/**
 * A NodePool deleted while its HostedCluster does not serve its API: its nodes are objects in that API, so letting
 * the pool go would leave them to come back on resume. nodeRemovalWait decides when the finalizer waits.
 */
import { describe, expect, it } from "vitest";
import type { HostedCluster } from "../../../../src/api/hosted-cluster.js";
import type { NodePool } from "../../../../src/api/node-pool.js";
import { nodeRemovalWait } from "../../../../src/provisioners/node-pool/phases.js";

const pool = (replicas: number | undefined) =>
  ({
    metadata: { name: "workers", namespace: "team", deletionTimestamp: "2026-06-01T12:00:00Z" },
    spec: { clusterName: "tenant" },
    status: replicas === undefined ? {} : { replicas },
  }) as unknown as NodePool;

const cluster = (over: { powerState?: string; deleting?: boolean } = {}) =>
  ({
    metadata: {
      name: "tenant",
      namespace: "team",
      ...(over.deleting ? { deletionTimestamp: "2026-06-01T12:00:00Z" } : {}),
    },
    spec: { powerState: over.powerState ?? "Running" },
    status: { powerState: over.powerState ?? "Running" },
  }) as unknown as HostedCluster;

describe("deleting a NodePool whose nodes live in the hosted API", () => {
  it("waits while the HostedCluster hibernates, saying why and what to do", () => {
    const message = nodeRemovalWait(pool(3), cluster({ powerState: "Hibernating" }), false);
    expect(message).toContain("the pool's 3 node(s) are objects in HostedCluster tenant's API");
    expect(message).toContain("while the cluster hibernates");
    expect(message).toContain("they would come back when it resumes");
    expect(message).toContain("resume the cluster (slipway resume tenant), or delete the HostedCluster");
  });

  it("waits while the cluster is not Available for another reason", () => {
    expect(nodeRemovalWait(pool(1), cluster(), false)).toContain("while the cluster is not Available");
  });

  it.each([
    ["the API answers (the nodes are removed now)", pool(3), cluster(), true],
    [
      "the HostedCluster is being deleted (its API and nodes go with it)",
      pool(3),
      cluster({ deleting: true }),
      false,
    ],
    ["the HostedCluster is gone", pool(3), undefined, false],
    ["the pool had no nodes when last seen", pool(0), cluster({ powerState: "Hibernating" }), false],
    ["the pool never reported nodes", pool(undefined), cluster({ powerState: "Hibernating" }), false],
  ] as const)("lets the pool go when %s", (_why, p, c, reachable) => {
    expect(nodeRemovalWait(p, c, reachable)).toBeUndefined();
  });
});
