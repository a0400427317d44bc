/**
 * The worker's side of a cloud NodePool: the shared stack job (../stack-resource) with what a pool adds: its
 * HostedCluster's endpoint and CA in the inputs, and its join token beside the cloud credentials, both read when the
 * job runs (the token as secret config, never in the payload or a log).
 */
import type { HostedCluster } from "../../api/hosted-cluster.js";
import type { NodePool } from "../../api/node-pool.js";
import { platformOf } from "../../api/platform.js";
import { hostedClusterResource, nodePoolResource } from "../../api/resources.js";
import { TerminalError, TerminalStackError } from "../../errors/index.js";
import { JOIN_TOKEN_KEY } from "../../../stacks/cloud/node-join.js";
import { platformDefinition, stackProgramFor } from "../../../stacks/index.js";
import { stackJob, type StackJobDeps, type StackJobKind } from "../stack-resource/index.js";
import { readJoinToken } from "./join-token.js";
import { desiredNodeGroupStack, joinEndpointOf, type JoinEndpoint } from "./node-group-stack.js";

const NO_TOKEN = "the NodePool's join token Secret does not exist yet: the controller makes it";

/** A destroy does not run the program: any endpoint satisfies its inputs once the HostedCluster's is gone. */
const NO_ENDPOINT: JoinEndpoint = { apiServer: "https://hosted-cluster.invalid", caData: "AA==" };

function terminal<T>(what: () => T): T {
  try {
    return what();
  } catch (error) {
    if (error instanceof TerminalStackError) throw new TerminalError(error.reason, error.message);
    throw error;
  }
}

export const nodePoolStackJobKind: StackJobKind<NodePool> = {
  kind: "NodePool",
  resource: nodePoolResource,
  async desired(pool, { kube, validate }) {
    const platform = platformOf(pool.spec) ?? "unknown";
    const program = terminal(() => stackProgramFor("NodePool", platform));
    const cluster = await kube.getIfExists<HostedCluster>(
      hostedClusterResource,
      pool.metadata.namespace,
      pool.spec.clusterName,
    );
    const join = cluster ? await joinEndpointOf(kube, cluster) : undefined;
    if (validate && (!cluster || !join))
      throw new Error(`HostedCluster ${pool.spec.clusterName} serves no endpoint yet: the up waits for it`);
    const tokenID = (await readJoinToken(kube, pool))?.split(".")[0];
    if (validate && !tokenID) throw new Error(NO_TOKEN);
    const desired = desiredNodeGroupStack(
      pool,
      cluster ?? placeholderCluster(pool),
      { ...(join ?? NO_ENDPOINT), tokenID: tokenID ?? "000000" },
      program,
    );
    if (validate) terminal(() => program.validate(desired.inputs));
    return {
      ...desired,
      platform,
      definition: platformDefinition(platform)!,
      platformSpec: ((pool.spec.platform as Record<string, unknown>)[platform] ?? {}) as Record<
        string,
        unknown
      >,
    };
  },
  async moreCredentials(pool, { kube }) {
    const token = await readJoinToken(kube, pool);
    if (!token) throw new Error(NO_TOKEN);
    return { [JOIN_TOKEN_KEY]: token };
  },
  result: (outputs) => ({
    groupReplicas: typeof outputs.replicas === "number" ? outputs.replicas : undefined,
  }),
};

/** A HostedCluster gone before its pool's destroy: only its name and version reach the (unrun) program. */
function placeholderCluster(pool: NodePool): HostedCluster {
  return {
    metadata: { name: pool.spec.clusterName, namespace: pool.metadata.namespace },
    spec: { release: { version: pool.spec.release?.version ?? "1.33.0" } },
  } as HostedCluster;
}

/** The handler of node-pool-stack jobs. */
export const nodePoolStackJob = (deps: StackJobDeps) => stackJob(nodePoolStackJobKind, deps);
