/**
 * What a cloud NodePool's spec means to its platform's NodePool program (stacks/<cloud>, programs.NodePool): the
 * same inputs for every cloud (stacks/node-pool-inputs.ts), computed alike by the controller (to know whether the
 * stack holds them) and by the worker (to run them).
 */
import type { HostedCluster } from "../../api/hosted-cluster.js";
import type { KubeObject } from "../../api/object.js";
import type { NodePool } from "../../api/node-pool.js";
import { platformOf } from "../../api/platform.js";
import { secretResource } from "../../api/resources.js";
import { stackInputsHash, stackNameFor } from "../../queue/stack-job.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { kubeconfigCluster } from "../../../stacks/cloud/kubeconfig.js";
import type { StackProgram } from "../../../stacks/index.js";

/** The hosted API a pool's machines join: from the HostedCluster's admin kubeconfig. Never secret. */
export interface JoinEndpoint {
  apiServer: string;
  caData: string;
}

/** What the boot config names beside the endpoint: the id (public half) of the pool's bootstrap token. */
export interface JoinTarget extends JoinEndpoint {
  tokenID: string;
}

/** The size the node group gets: spec.replicas, or the autoscaler's last decision within autoScaling's bounds. */
export function nodeGroupReplicas(pool: NodePool): number {
  const bounds = pool.spec.autoScaling;
  if (!bounds) return pool.spec.replicas ?? 0;
  const decided = pool.status?.autoscaling?.desiredReplicas ?? bounds.min;
  return Math.min(bounds.max, Math.max(bounds.min, decided));
}

export function nodeGroupStackName(pool: NodePool): string {
  return stackNameFor({
    namespace: pool.metadata.namespace!,
    name: pool.metadata.name!,
    uid: pool.metadata.uid!,
  });
}

/** The stack and program inputs the spec asks for now. */
export function desiredNodeGroupStack(
  pool: NodePool,
  cluster: HostedCluster,
  join: JoinTarget,
  program: StackProgram,
): { stackName: string; inputs: Record<string, unknown>; inputsHash: string } {
  const stackName = nodeGroupStackName(pool);
  const platform = platformOf(pool.spec) ?? "unknown";
  const spec = pool.spec;
  const inputs = {
    poolName: pool.metadata.name!.replace(/\./g, "-").slice(0, 63).replace(/-+$/, ""),
    clusterName: cluster.metadata.name!.replace(/\./g, "-").slice(0, 63).replace(/-+$/, ""),
    powerState: cluster.spec.powerState === "Hibernating" ? "Hibernating" : "Running",
    platform: (spec.platform as Record<string, unknown>)[platform] ?? {},
    version: spec.release?.version ?? cluster.spec.release.version,
    replicas: nodeGroupReplicas(pool),
    autoScaling: spec.autoScaling ? { min: spec.autoScaling.min, max: spec.autoScaling.max } : undefined,
    nodeLabels: spec.nodeLabels,
    taints: spec.taints,
    apiServer: join.apiServer,
    caData: join.caData,
    joinTokenID: join.tokenID,
    ...program.hostInputs?.({ stackName, uid: pool.metadata.uid!, stateDir: "", toolsBinDir: "" }),
  };
  const defined = Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined));
  return { stackName, inputs: defined, inputsHash: stackInputsHash(defined) };
}

/** The server and CA of the HostedCluster's admin kubeconfig Secret (status.kubeconfig); undefined until written. */
export async function joinEndpointOf(
  kube: KubeClient,
  cluster: HostedCluster,
): Promise<JoinEndpoint | undefined> {
  const name = cluster.status?.kubeconfig?.name;
  if (!name) return undefined;
  const secret = await kube.getIfExists<KubeObject & { data?: Record<string, string> }>(
    secretResource,
    cluster.metadata.namespace,
    name,
  );
  const kubeconfig = secret?.data?.kubeconfig;
  if (!kubeconfig) return undefined;
  const { server, caData } = kubeconfigCluster(Buffer.from(kubeconfig, "base64").toString("utf8"));
  return server ? { apiServer: server, caData } : undefined;
}
