import type { NodePool } from "../../api/node-pool.js";
import { platformOf } from "../../api/platform.js";
import { NodePoolReason as Reason } from "../../api/reasons.js";
import {
  markReconciling,
  setCondition,
  summarize,
  type Condition,
  type ConditionInput,
} from "../../runtime/conditions.js";
import type { StatusInput } from "../../runtime/reconciler.js";
import type { OwnedStatus } from "../../runtime/status-patch.js";
import { nodeGroupReplicas } from "./node-group-stack.js";
import { isNodeReady, nodeVersion } from "./nodes.js";
import type { NodePoolScope } from "./scope.js";

export const NodePoolCondition = {
  AllNodesHealthy: "AllNodesHealthy",
  AutoscalingEnabled: "AutoscalingEnabled",
  UpdatingVersion: "UpdatingVersion",
} as const;

const NODES_STATUS = {
  "api-objects": "APIObjects",
  "status-only": "StatusOnly",
  "provider-node-group": "ProviderNodeGroup",
} as const;

type Domain = Omit<ConditionInput, "type" | "observedGeneration">;

interface Counts {
  desired?: number;
  replicas?: number;
  ready?: number;
  updated?: number;
  version?: string;
  unhealthy: string[];
  outdated: number;
}

function counts(scope: NodePoolScope | undefined, previous: NonNullable<NodePool["status"]>): Counts {
  if (!scope || scope.waiting || !scope.mode)
    return {
      desired: previous.desiredReplicas,
      replicas: previous.replicas,
      ready: previous.readyReplicas,
      updated: previous.updatedReplicas,
      version: previous.version,
      unhealthy: [],
      outdated: 0,
    };
  if (scope.mode === "status-only")
    return {
      desired: scope.desired,
      replicas: scope.simulatedReplicas,
      ready: scope.simulatedReady,
      updated: scope.simulatedReplicas,
      version: scope.version,
      unhealthy: [],
      outdated: 0,
    };
  if (scope.mode === "provider-node-group") return nodeGroupCounts(scope, previous);
  const nodes = scope.nodes;
  const versions = nodes.map(nodeVersion).filter((v): v is string => v !== undefined);
  const outdated = versions.filter((v) => v !== scope.version);
  return {
    desired: scope.desired,
    replicas: nodes.length,
    ready: nodes.filter(isNodeReady).length,
    updated: nodes.length - outdated.length,
    // The oldest version while an upgrade rolls: what the pool can still be relied on to run.
    version:
      outdated.length > 0 ? [...outdated].sort()[0] : nodes.length > 0 ? scope.version : previous.version,
    unhealthy: nodes.filter((n) => !isNodeReady(n)).map((n) => n.metadata!.name!),
    outdated: outdated.length,
  };
}

/** A cloud pool: the machines the group reports, and those of them that joined the hosted API and are Ready. */
function nodeGroupCounts(scope: NodePoolScope, previous: NonNullable<NodePool["status"]>): Counts {
  const nodes = scope.nodes;
  const outdated = nodes.map(nodeVersion).filter((v) => v !== undefined && v !== scope.version);
  return {
    desired: scope.desired ?? previous.desiredReplicas,
    replicas: scope.groupReplicas ?? previous.replicas ?? 0,
    ready: scope.hosted ? nodes.filter(isNodeReady).length : (previous.readyReplicas ?? 0),
    updated: nodes.length - outdated.length,
    version: outdated.length > 0 ? [...(outdated as string[])].sort()[0] : scope.version,
    unhealthy: nodes.filter((n) => !isNodeReady(n)).map((n) => n.metadata!.name!),
    outdated: outdated.length,
  };
}

function health(scope: NodePoolScope | undefined, c: Counts): Domain {
  if (scope?.waiting) return { status: "Unknown", ...scope.waiting };
  if (scope?.mode === "provider-node-group" && c.unhealthy.length === 0 && (c.ready ?? 0) < (c.desired ?? 0))
    return {
      status: "False",
      reason: Reason.WaitingForNodes,
      message:
        `${String(c.ready ?? 0)} of ${String(c.desired ?? 0)} machine(s) of the ${platformOf(scope.pool.spec) ?? ""} ` +
        `node group joined the hosted API and are Ready` +
        (scope.hosted
          ? ""
          : ` (HostedCluster ${scope.pool.spec.clusterName} is not Available: its nodes cannot be read)`),
    };
  if (c.unhealthy.length > 0)
    return {
      status: "False",
      reason: Reason.NodesUnhealthy,
      message: `Not Ready: ${c.unhealthy.slice(0, 10).join(", ")}${c.unhealthy.length > 10 ? " ..." : ""}`,
    };
  return {
    status: "True",
    reason: Reason.NodesHealthy,
    message:
      scope?.mode === "status-only"
        ? `${String(c.ready ?? 0)} simulated node(s), counted in status only (the HostedCluster has no API)`
        : `${String(c.ready ?? 0)} node(s) Ready, their leases renewed (simulated: no kubelet, pods bind but never run)`,
  };
}

function updating(scope: NodePoolScope | undefined, c: Counts): Domain {
  if (scope?.waiting) return { status: "Unknown", ...scope.waiting };
  if (c.outdated > 0)
    return {
      status: "True",
      reason: Reason.Upgrading,
      message: `${String(c.updated ?? 0)} of ${String(c.replicas ?? 0)} node(s) at ${scope?.version ?? ""} (${scope?.pool.spec.management.upgradeType ?? ""})`,
    };
  return {
    status: "False",
    reason: Reason.VersionUpToDate,
    message: `Every node runs ${scope?.version ?? c.version ?? "the wanted version"}`,
  };
}

/**
 * AutoscalingEnabled. A cloud pool's group is sized by Slipway, not the cloud's autoscaler, and Slipway does not
 * yet decide from the Nodes that joined it: its autoScaling is answered False, saying the size it keeps.
 */
export function autoscaling(pool: NodePool, mode?: NodePoolScope["mode"]): Domain {
  const a = pool.spec.autoScaling;
  if (a && mode === "provider-node-group")
    return {
      status: "False",
      reason: Reason.AutoscalingNotActedOn,
      message:
        `spec.autoScaling is not acted on for a cloud node group yet: the group keeps ` +
        `${String(nodeGroupReplicas(pool))} node(s), its min (${String(a.min)}) or the last decision; ` +
        `set spec.replicas to size it`,
    };
  return a
    ? {
        status: "True",
        reason: Reason.AutoscalingEnabled,
        message: `Between ${String(a.min)} and ${String(a.max)} nodes; empty nodes go after ${a.scaleDownDelay ?? "10m"}`,
      }
    : {
        status: "False",
        reason: Reason.AutoscalingDisabled,
        message: `spec.replicas fixes the pool at ${String(pool.spec.replicas ?? 0)} node(s)`,
      };
}

/** The one place a NodePool's status is computed. */
export function computeNodePoolStatus(input: StatusInput<NodePool, NodePoolScope>): OwnedStatus {
  const { object: pool, scope, now } = input;
  const previous = pool.status ?? {};
  const generation = pool.metadata.generation;
  const c = counts(scope, previous);
  const decision = scope?.decision;
  const autoScaling = pool.spec.autoScaling;
  const status: OwnedStatus = {
    platform: platformOf(pool.spec),
    desiredReplicas: c.desired,
    replicas: c.replicas,
    readyReplicas: c.ready,
    updatedReplicas: c.updated,
    version: c.version,
    lastScaleTime: scope?.lastScaleTime ?? previous.lastScaleTime,
    nodes: scope?.mode ? NODES_STATUS[scope.mode] : previous.nodes,
    stack: scope?.mode === "provider-node-group" ? (scope.status.stack ?? previous.stack) : previous.stack,
    autoscaling: autoScaling
      ? {
          min: autoScaling.min,
          max: autoScaling.max,
          desiredReplicas: decision?.desiredReplicas ?? previous.autoscaling?.desiredReplicas,
          reason: decision?.reason ?? previous.autoscaling?.reason,
          message: decision?.message ?? previous.autoscaling?.message,
          lastScaleUpTime: scope?.lastScaleUpTime ?? previous.autoscaling?.lastScaleUpTime,
          lastScaleDownTime: scope?.lastScaleDownTime ?? previous.autoscaling?.lastScaleDownTime,
        }
      : undefined,
  };
  let conditions = (previous.conditions ?? []) as Condition[];
  const domain: [string, Domain][] = [
    [NodePoolCondition.AllNodesHealthy, health(scope, c)],
    [NodePoolCondition.UpdatingVersion, updating(scope, c)],
    [NodePoolCondition.AutoscalingEnabled, autoscaling(pool, scope?.mode)],
  ];
  for (const [type, d] of domain)
    conditions = setCondition(conditions, { type, ...d, observedGeneration: generation }, now);
  conditions = summarize(
    conditions,
    {
      conditions: [
        NodePoolCondition.AllNodesHealthy,
        { type: NodePoolCondition.UpdatingVersion, polarity: "negative" },
      ],
      ready: {
        reason: Reason.NodesReady,
        message: `${String(c.ready ?? 0)}/${String(c.desired ?? 0)} node(s) Ready at ${c.version ?? "the wanted version"}`,
      },
      error: input.error,
      // A deletion that waits (WaitingToRemoveNodes: the cluster's API is away) says why on Ready.
      deleting: input.deleting
        ? (scope?.waiting ?? { reason: Reason.DeletingNodes, message: "Removing the pool's nodes" })
        : undefined,
      observedGeneration: generation,
    },
    now,
  );
  const running = scope?.mode === "provider-node-group" ? scope.status.stack : undefined;
  if (!input.error && !input.deleting && running?.result === "InProgress") {
    const percent = running.progress?.percent;
    conditions = markReconciling(
      conditions,
      {
        reason: Reason.Applying,
        message:
          `${running.type} of the node group runs (job ${running.jobId}` +
          `${percent !== undefined ? `, ${String(percent)}%` : ""})`,
        observedGeneration: generation,
      },
      now,
    );
    status.conditions = conditions;
    return status;
  }
  // Healthy and current, but not the count it wants yet: still scaling.
  const settled = c.replicas === c.desired && c.ready === c.desired;
  if (!input.error && !input.deleting && !scope?.waiting && scope?.mode && !settled) {
    const up = (c.replicas ?? 0) < (c.desired ?? 0) || (c.ready ?? 0) < (c.desired ?? 0);
    const growing = (c.replicas ?? 0) < (c.desired ?? 0);
    conditions = markReconciling(
      conditions,
      {
        reason: growing ? Reason.ScalingUp : up ? Reason.WaitingForNodes : Reason.ScalingDown,
        message: `${String(c.ready ?? 0)} Ready of ${String(c.replicas ?? 0)} node(s); ${String(c.desired ?? 0)} wanted`,
        observedGeneration: generation,
      },
      now,
    );
  }
  status.conditions = conditions;
  return status;
}
