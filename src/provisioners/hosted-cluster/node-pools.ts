import type { NodePool } from "../../api/index.js";
import { nodePoolResource } from "../../api/resources.js";
import { logger } from "../../runtime/logging.js";
import { refOf } from "../stack-resource/index.js";
import type { HostedClusterScope } from "./scope.js";

const log = logger("hosted-cluster");
/** How often a deleting HostedCluster looks again at the NodePools it waits for (their deletion also wakes it). */
const NODE_POOLS_POLL_MS = 2_000;

/** Deletes the NodePools whose spec.clusterName is this cluster; true once none is left. */
export async function nodePoolsGone(scope: HostedClusterScope): Promise<boolean> {
  const { hc, deps } = scope;
  const namespace = hc.metadata!.namespace!;
  const pools = (await deps.kube.list<NodePool>(nodePoolResource, { namespace })).items.filter(
    (pool) => pool.spec?.clusterName === hc.metadata!.name,
  );
  if (pools.length === 0) return true;
  scope.nodePoolsLeft = pools.map((pool) => pool.metadata!.name!);
  for (const pool of pools) {
    if (pool.metadata?.deletionTimestamp) continue;
    log.info(
      { HostedCluster: refOf(hc), NodePool: pool.metadata!.name },
      "Deleting NodePool before the control plane",
    );
    await deps.kube.delete(nodePoolResource, namespace, pool.metadata!.name!).catch(() => undefined);
  }
  scope.requeueAfterMs = NODE_POOLS_POLL_MS;
  return false;
}
