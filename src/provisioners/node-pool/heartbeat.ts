import { isNotFound } from "../../errors/index.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { logger as namedLogger, type Logger } from "../../runtime/logging.js";
import { leaseResource, NODE_LEASE_NAMESPACE, type HostedNode } from "./hosted-objects.js";
import { microTime, nodeLease } from "./nodes.js";

export interface NodeHeartbeatOptions {
  /** How often every tracked node's Lease is renewed: the kubelet's default is a quarter of 40 s. */
  intervalMs?: number;
  now?: () => Date;
  /** Renew only while this says so (the manager leads): a replica that lost its lease stops beating. */
  active?: () => boolean;
  logger?: Logger;
}

interface Tracked {
  client: KubeClient;
  nodes: Map<string, HostedNode>;
}

/**
 * The kubelet's heartbeat for simulated nodes: renews each node's Lease in kube-node-lease so the hosted
 * cluster's node lifecycle controller keeps it Ready. It runs in the controller process, beside the pass that
 * made the nodes, because the nodes are API objects the controller writes (no job, no worker involved); if the
 * controller stops, the leases lapse and the nodes go NotReady, as nodes whose kubelet died would.
 */
export class NodeHeartbeat {
  private readonly pools = new Map<string, Tracked>();
  private readonly intervalMs: number;
  private readonly now: () => Date;
  private readonly active: () => boolean;
  private readonly log: Logger;
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(options: NodeHeartbeatOptions = {}) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
    this.active = options.active ?? (() => true);
    this.log = options.logger ?? namedLogger("node-pool.heartbeat");
  }

  /** The pool's nodes as of this pass (replacing what was tracked for it). */
  track(poolKey: string, client: KubeClient, nodes: readonly HostedNode[]): void {
    this.pools.set(poolKey, { client, nodes: new Map(nodes.map((n) => [n.metadata!.name!, n])) });
    if (!this.timer) {
      this.timer = setInterval(() => void this.beat(), this.intervalMs);
      this.timer.unref();
    }
  }

  untrack(poolKey: string): void {
    this.pools.delete(poolKey);
    if (this.pools.size === 0) this.stop();
  }

  tracked(poolKey: string): string[] {
    return [...(this.pools.get(poolKey)?.nodes.keys() ?? [])];
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Renews every tracked node's Lease once (creating a missing one). */
  async beat(): Promise<void> {
    if (this.beating) return this.beating;
    if (!this.active()) return;
    this.beating = (async () => {
      const now = this.now();
      for (const [poolKey, { client, nodes }] of this.pools) {
        for (const node of nodes.values()) {
          try {
            await renewLease(client, node, now);
          } catch (error) {
            this.log.warn(
              { NodePool: poolKey, node: node.metadata?.name, err: (error as Error).message },
              "Could not renew the node's lease",
            );
          }
        }
      }
    })().finally(() => (this.beating = undefined));
    return this.beating;
  }
}

export async function renewLease(client: KubeClient, node: HostedNode, now: Date): Promise<void> {
  const name = node.metadata!.name!;
  try {
    await client.patch(
      leaseResource,
      NODE_LEASE_NAMESPACE,
      name,
      { spec: { renewTime: microTime(now), holderIdentity: name } },
      { type: "merge" },
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await client.create(leaseResource, nodeLease(node, now));
  }
}
