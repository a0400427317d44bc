import type { NodePool } from "../api/node-pool.js";
import { getCondition, type Condition } from "../runtime/conditions.js";
import { age, table } from "./hub-client.js";

const conditionOf = (pool: NodePool, type: string) =>
  getCondition(pool.status?.conditions as Condition[] | undefined, type);

/**
 * NodePools: nodes Ready of desired, the autoscaler's bounds and its last decision (cluster-autoscaler's words),
 * the version and whether it is rolling, and Ready with its reason when it is not True.
 */
export function nodePoolRows(items: NodePool[], allNamespaces: boolean, now = Date.now()): string {
  const rows = items.map((pool) => {
    const status = pool.status ?? {};
    const autoScaling = pool.spec.autoScaling;
    const desired = status.desiredReplicas ?? pool.spec.replicas;
    const ready = conditionOf(pool, "Ready");
    const updating = conditionOf(pool, "UpdatingVersion");
    return [
      ...(allNamespaces ? [pool.metadata.namespace ?? ""] : []),
      pool.metadata.name ?? "",
      pool.spec.clusterName,
      `${String(status.readyReplicas ?? 0)}/${desired === undefined ? "?" : String(desired)}`,
      autoScaling
        ? `${String(autoScaling.min)}/${String(autoScaling.max)}/${String(status.replicas ?? 0)}`
        : "-",
      autoScaling ? (status.autoscaling?.reason ?? "") : "",
      status.version ?? pool.spec.release?.version ?? "",
      updating?.status === "True" ? "True" : "False",
      !ready ? "Unknown" : ready.status === "True" ? "True" : `${ready.status} (${ready.reason})`,
      age(pool.metadata.creationTimestamp, now),
    ];
  });
  return table(
    [
      ...(allNamespaces ? ["NAMESPACE"] : []),
      "NAME",
      "CLUSTER",
      "NODES",
      "AUTOSCALING(MIN/MAX/CURRENT)",
      "AUTOSCALER",
      "VERSION",
      "UPDATING",
      "READY",
      "AGE",
    ],
    rows,
  );
}
