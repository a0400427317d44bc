import { NodePoolReason as Reason } from "../../../api/reasons.js";
import { insufficient, neverFits, subtract } from "./predicates.js";
import type {
  AutoscaleDecision,
  AutoscaleInput,
  NodeView,
  NotTriggered,
  PendingPod,
  Resources,
} from "./types.js";

/** A node the packing fills: an existing node's free room, or a new node of the pool's template. */
interface Bin {
  free: Resources;
  pods: string[];
}

/** Largest first by the larger of its cpu and memory share of one node (first-fit decreasing). */
function bySizeDescending(allocatable: Resources) {
  const share = (pod: PendingPod) =>
    Math.max(
      pod.requests.cpuMilli / Math.max(allocatable.cpuMilli, 1),
      pod.requests.memoryBytes / Math.max(allocatable.memoryBytes, 1),
    );
  return (a: PendingPod, b: PendingPod) => share(b) - share(a) || a.name.localeCompare(b.name);
}

function place(pod: PendingPod, bins: Bin[]): boolean {
  const bin = bins.find((b) => insufficient(pod.requests, b.free).length === 0);
  if (!bin) return false;
  bin.free = subtract(bin.free, pod.requests);
  bin.pods.push(pod.name);
  return true;
}

function pluralNodes(n: number): string {
  return `${String(n)} node${n === 1 ? "" : "s"}`;
}

/** "pod didn't trigger scale-up: a/p (max node group size reached); ..." grouped by why. */
function notTriggeredText(notTriggered: readonly NotTriggered[]): string {
  const byWhy = new Map<string, string[]>();
  for (const { pod, why } of notTriggered) byWhy.set(why, [...(byWhy.get(why) ?? []), pod]);
  const parts = [...byWhy].map(([why, pods]) => {
    const shown =
      pods.slice(0, 3).join(", ") + (pods.length > 3 ? ` and ${String(pods.length - 3)} more` : "");
    return `${String(pods.length)} pod(s) (${shown}): ${why}`;
  });
  return `pod didn't trigger scale-up: ${parts.join("; ")}`;
}

/** Nodes to drop when the pool is over max: empty ones first (longest empty), then the fewest pods. */
function overMax(nodes: readonly NodeView[], count: number): string[] {
  return [...nodes]
    .sort(
      (a, b) =>
        a.podCount - b.podCount ||
        (a.emptySince?.getTime() ?? Infinity) - (b.emptySince?.getTime() ?? Infinity) ||
        a.name.localeCompare(b.name),
    )
    .slice(0, count)
    .map((n) => n.name);
}

/**
 * One pass of the autoscaler over a NodePool, after cluster-autoscaler: pods the scheduler could not place make
 * the pool grow by the nodes they need (first-fit decreasing into the free room of existing nodes, then into new
 * nodes of the pool's template), within max; nodes with no pods for scaleDownDelay shrink it, down to min. A
 * node with pods is never removed by scale-down (only when max itself is lowered below the node count).
 */
export function decideAutoscale(input: AutoscaleInput): AutoscaleDecision {
  const { min, max, template, now } = input;
  const live = input.nodes.filter((n) => !n.deleting);
  const current = live.length;
  const notTriggered: NotTriggered[] = [];

  if (current > max) {
    const removeNodes = overMax(live, current - max);
    return {
      desiredReplicas: max,
      removeNodes,
      reason: Reason.ScaleDown,
      message: `Scale-down: the group has ${pluralNodes(current)}, above max ${String(max)}: removing ${removeNodes.join(", ")}`,
      helpedPods: [],
      notTriggered,
    };
  }

  // Pods no node of the pool could ever hold are reported and left out of the packing.
  const candidates: PendingPod[] = [];
  for (const pod of input.pendingPods) {
    const why = neverFits(pod, template);
    if (why) notTriggered.push({ pod: pod.name, why });
    else candidates.push(pod);
  }
  candidates.sort(bySizeDescending(template.allocatable));

  // Room on existing nodes first: a pod the scheduler has not retried since a node joined needs no new node.
  const existing = live.map((node) => ({ node, free: subtract(node.allocatable, node.requested) }));
  const fresh: Bin[] = [];
  let onExisting = 0;
  for (const pod of candidates) {
    const room = existing.find((bin) => !neverFits(pod, { ...bin.node, allocatable: bin.free }));
    if (room) {
      room.free = subtract(room.free, pod.requests);
      onExisting++;
    } else if (!place(pod, fresh)) {
      fresh.push({ free: template.allocatable, pods: [] });
      place(pod, fresh);
    }
  }
  const allowedNew = Math.max(0, max - current);
  const usable = fresh.slice(0, allowedNew);
  for (const bin of fresh.slice(allowedNew)) {
    for (const pod of bin.pods) notTriggered.push({ pod, why: "max node group size reached" });
  }
  const helpedPods = usable.flatMap((bin) => bin.pods);

  const grown = Math.max(current + usable.length, min);
  if (grown > current) {
    const forPods =
      usable.length > 0
        ? `${String(helpedPods.length)} pending pod(s) need ${pluralNodes(usable.length)}`
        : "";
    const forMin = current + usable.length < min ? `the group is below min ${String(min)}` : "";
    const why = [forPods, forMin].filter(Boolean).join("; ");
    const unhelped = notTriggered.length > 0 ? `; ${notTriggeredText(notTriggered)}` : "";
    return {
      desiredReplicas: grown,
      removeNodes: [],
      reason: Reason.ScaledUpGroup,
      message: `Scale-up: setting group size to ${String(grown)} (from ${String(current)}): ${why}${unhelped}`,
      helpedPods,
      notTriggered,
    };
  }

  // Scale-down waits while pods that fit the pool are still pending: they may be about to land on an empty node.
  const empty = live.filter((n) => n.podCount === 0 && n.emptySince !== undefined);
  const dueAt = (n: NodeView) => new Date(n.emptySince!.getTime() + input.scaleDownDelayMs);
  const due = onExisting > 0 ? [] : empty.filter((n) => dueAt(n) <= now);
  const removable = [...due]
    .sort((a, b) => a.emptySince!.getTime() - b.emptySince!.getTime() || a.name.localeCompare(b.name))
    .slice(0, Math.max(0, current - min));
  const notDue = empty.filter((n) => dueAt(n) > now).map(dueAt);
  const nextScaleDownAt =
    current - removable.length > min && notDue.length > 0
      ? new Date(Math.min(...notDue.map((d) => d.getTime())))
      : undefined;
  const base = { helpedPods, notTriggered, nextScaleDownAt };

  if (removable.length > 0) {
    const names = removable.map((n) => n.name);
    return {
      ...base,
      desiredReplicas: current - removable.length,
      removeNodes: names,
      reason: Reason.ScaleDown,
      message: `Scale-down: removing empty node(s) ${names.join(", ")} (no pods for ${String(input.scaleDownDelayMs / 1000)} s); group size ${String(current - removable.length)} (from ${String(current)}, min ${String(min)})`,
    };
  }
  if (notTriggered.length > 0) {
    return {
      ...base,
      desiredReplicas: current,
      removeNodes: [],
      reason: Reason.NotTriggerScaleUp,
      message: notTriggeredText(notTriggered),
    };
  }
  if (nextScaleDownAt) {
    return {
      ...base,
      desiredReplicas: current,
      removeNodes: [],
      reason: Reason.ScaleDownCandidatesPresent,
      message: `${pluralNodes(notDue.length)} empty; the first may be removed at ${nextScaleDownAt.toISOString()} (scaleDownDelay ${String(input.scaleDownDelayMs / 1000)} s)`,
    };
  }
  return {
    ...base,
    desiredReplicas: current,
    removeNodes: [],
    reason: Reason.NoActivity,
    message:
      onExisting > 0
        ? `${String(onExisting)} pending pod(s) fit the room existing nodes have; no scale-up needed`
        : `Group size ${String(current)} within min ${String(min)} and max ${String(max)}; no pending pods and no empty node to remove`,
  };
}
