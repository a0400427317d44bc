import type { ClusterClaim, ClusterDeployment, ClusterPool } from "../../src/api/index.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { configureLogging } from "../../src/runtime/logging.js";
import { Manager } from "../../src/runtime/manager.js";
import { register as registerPools } from "../../src/pools/index.js";
import { testControllerDependencies } from "./controller-deps.js";
import {
  clusterClaimResource,
  clusterDeploymentResource,
  clusterPoolResource,
} from "../../src/api/resources.js";
import { hubKubeConfig } from "./hub.js";

/**
 * The two pool controllers in-process against the test hub, watching `namespaces` only; no ClusterDeployment
 * controller, no worker.
 */
export async function startPoolControllers(
  namespaces: readonly string[],
): Promise<{ manager: Manager; client: KubeClient }> {
  configureLogging({ level: process.env.SLIPWAY_LOG_LEVEL === "debug" ? "debug" : "warn" });
  const client = new KubeClient(hubKubeConfig());
  const manager = new Manager({ client, namespaces });
  // Pools queue no jobs: the dependencies' queues are never opened.
  registerPools(manager, testControllerDependencies(client, "pools"), {
    poolRequeueAfterMs: 2_000,
    claimPollMs: 500,
  });
  await manager.start({ cacheSyncTimeoutMs: 30_000 });
  return { manager, client };
}

export async function poolClusters(
  client: KubeClient,
  namespace: string,
  pool: string,
): Promise<ClusterDeployment[]> {
  const list = await client.list<ClusterDeployment>(clusterDeploymentResource, {
    namespace,
    labelSelector: `slipway.dev/cluster-pool=${pool}`,
  });
  return list.items;
}

export const getPool = (client: KubeClient, namespace: string, name: string) =>
  client.get<ClusterPool>(clusterPoolResource, namespace, name);
export const getClaim = (client: KubeClient, namespace: string, name: string) =>
  client.get<ClusterClaim>(clusterClaimResource, namespace, name);

export function condition(
  object: { status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } },
  type: string,
) {
  return object.status?.conditions?.find((c) => c.type === type);
}

export const unclaimed = (cds: ClusterDeployment[]) =>
  cds.filter((cd) => !cd.spec.clusterPoolRef?.claimName && !cd.metadata.deletionTimestamp);
