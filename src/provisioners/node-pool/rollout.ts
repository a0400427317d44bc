/**
 * What to do with a pool's nodes this pass: how many to add, which to remove, which to relabel, to reach the
 * desired count at the wanted version. Pure, after Cluster API's MachineDeployment rolling update: Replace adds
 * nodes at the new version up to desired + maxSurge and removes old ones while at least desired - maxUnavailable
 * stay Ready; InPlace relabels the version of one node at a time (a simulated node has nothing else to upgrade).
 */

export interface RolloutNode {
  name: string;
  version?: string;
  ready: boolean;
  podCount: number;
  createdAt: Date;
}

export interface RolloutInput {
  nodes: readonly RolloutNode[];
  desired: number;
  version: string;
  upgradeType: "Replace" | "InPlace";
  maxSurge: number;
  maxUnavailable: number;
  /** Nodes to remove first when the pool shrinks (the autoscaler's choice). */
  preferRemove?: readonly string[];
}

export interface RolloutPlan {
  create: number;
  remove: string[];
  relabel: string[];
  /** Nodes not at the wanted version. */
  outdated: number;
}

/** Which nodes go first when there are too many: the autoscaler's picks, not Ready, empty, then newest. */
function removalOrder(nodes: readonly RolloutNode[], prefer: readonly string[]): RolloutNode[] {
  const rank = (n: RolloutNode) => (prefer.includes(n.name) ? 0 : 1);
  return [...nodes].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      Number(a.ready) - Number(b.ready) ||
      a.podCount - b.podCount ||
      b.createdAt.getTime() - a.createdAt.getTime() ||
      a.name.localeCompare(b.name),
  );
}

export function planRollout(input: RolloutInput): RolloutPlan {
  const { desired, version, maxSurge, maxUnavailable } = input;
  const prefer = input.preferRemove ?? [];
  const current = input.nodes.filter((n) => n.version === version);
  const old = input.nodes.filter((n) => n.version !== version);
  const total = input.nodes.length;

  if (old.length === 0 || input.upgradeType === "InPlace") {
    // Scaling only (InPlace upgrades never change the count): new nodes are made at the wanted version.
    const remove =
      total > desired
        ? removalOrder([...old, ...current], prefer)
            .slice(0, total - desired)
            .map((n) => n.name)
        : [];
    const leftOld = old.filter((n) => !remove.includes(n.name));
    return {
      create: Math.max(0, desired - total),
      remove,
      // One node at a time, and only a Ready one: the next waits for the next pass.
      relabel: leftOld.length > 0 ? [removalOrder(leftOld, []).reverse()[0]!.name] : [],
      outdated: leftOld.length,
    };
  }

  // Replace: surge new nodes, then retire old ones within the availability budget.
  const create = Math.max(0, Math.min(desired - current.length, desired + maxSurge - total));
  const surplusCurrent = Math.max(0, current.length - desired);
  const readyNow = input.nodes.filter((n) => n.ready).length;
  let budget = readyNow - Math.max(0, desired - maxUnavailable);
  const remove: string[] = [];
  // Old nodes that are not Ready cost no availability; Ready ones spend the budget.
  for (const node of removalOrder(old, prefer)) {
    if (!node.ready) remove.push(node.name);
    else if (budget > 0) {
      remove.push(node.name);
      budget--;
    }
  }
  if (surplusCurrent > 0) {
    remove.push(
      ...removalOrder(current, prefer)
        .slice(0, Math.min(surplusCurrent, Math.max(0, budget)))
        .map((n) => n.name),
    );
  }
  return { create, remove, relabel: [], outdated: old.length };
}
