import { setTimeout as sleep } from "node:timers/promises";
import { conditionTime } from "../../runtime/conditions.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { REGISTRATION_FIELD_MANAGER } from "./hub.js";
import { OcmCondition } from "./names.js";
import { leaseResource, managedClusterResource } from "./resources.js";

/** OCM's reasons, as its agent and lease controller write them. */
export const OcmReason = {
  Joined: "ManagedClusterJoined",
  Available: "ManagedClusterAvailable",
  LeaseUpdateStopped: "ManagedClusterLeaseUpdateStopped",
} as const;

/** The lease OCM's agent renews in the cluster's hub namespace. */
export const MANAGED_CLUSTER_LEASE = "managed-cluster-lease";
const SIMULATED_AGENT_MANAGER = `${REGISTRATION_FIELD_MANAGER}-simulated-agent`;

/**
 * The simulated agent of a simulated cluster: no process and no certificate, only what OCM's agent would write
 * on the hub, after a configurable latency: ManagedClusterJoined and ManagedClusterConditionAvailable on the
 * ManagedCluster, and the renewed lease OCM's controller watches. A job per half lease (see phases.ts) keeps the
 * lease fresh, so thousands of simulated clusters cost a few hub writes a second.
 */
export class SimulatedAgent {
  constructor(
    private readonly hub: KubeClient,
    private readonly latencyMs: number,
  ) {}

  async join(clusterName: string, now = new Date()): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    await this.renewLease(clusterName, now);
    await this.setConditions(
      clusterName,
      [
        {
          type: OcmCondition.Joined,
          status: "True",
          reason: OcmReason.Joined,
          message: "Simulated agent joined the hub",
        },
        {
          type: OcmCondition.Available,
          status: "True",
          reason: OcmReason.Available,
          message: "Simulated cluster is available (Slipway's simulated agent)",
        },
      ],
      now,
    );
  }

  /** What OCM reports once the lease is no longer renewed: the cluster hibernates. */
  async pause(clusterName: string, now = new Date()): Promise<void> {
    await this.setConditions(
      clusterName,
      [
        {
          type: OcmCondition.Available,
          status: "Unknown",
          reason: OcmReason.LeaseUpdateStopped,
          message: "Simulated agent stopped updating its lease (the cluster hibernates)",
        },
      ],
      now,
    );
  }

  private async renewLease(clusterName: string, now: Date): Promise<void> {
    await this.hub.patch(
      leaseResource,
      clusterName,
      MANAGED_CLUSTER_LEASE,
      {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: MANAGED_CLUSTER_LEASE, namespace: clusterName },
        spec: { renewTime: now.toISOString().replace(/Z$/, "000Z") }, // MicroTime
      },
      { type: "apply", fieldManager: SIMULATED_AGENT_MANAGER, force: true },
    );
  }

  private async setConditions(
    clusterName: string,
    conditions: { type: string; status: string; reason: string; message: string }[],
    now: Date,
  ): Promise<void> {
    const lastTransitionTime = conditionTime(now);
    await this.hub.patch(
      managedClusterResource,
      undefined,
      clusterName,
      {
        apiVersion: "cluster.open-cluster-management.io/v1",
        kind: "ManagedCluster",
        metadata: { name: clusterName },
        status: { conditions: conditions.map((c) => ({ ...c, lastTransitionTime })) },
      },
      { type: "apply", subresource: "status", fieldManager: SIMULATED_AGENT_MANAGER, force: true },
    );
  }
}
