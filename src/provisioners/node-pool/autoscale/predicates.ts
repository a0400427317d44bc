/**
 * The scheduler's predicates the autoscaler needs to know whether a pod could ever land on a node of the pool:
 * taints and tolerations, nodeSelector, and resources. Messages use kube-scheduler's words, as
 * cluster-autoscaler repeats them in its NotTriggerScaleUp events.
 */
import type { PendingPod, Resources, Taint, Toleration } from "./types.js";

export const RESOURCE_NAMES = { cpuMilli: "cpu", memoryBytes: "memory", pods: "pods" } as const;

function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if ((toleration.operator ?? "Equal") === "Exists") return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? "") === (taint.value ?? "");
}

/** The first taint that keeps the pod off the node (PreferNoSchedule never does), or undefined. */
export function untoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): Taint | undefined {
  return taints
    .filter((taint) => taint.effect !== "PreferNoSchedule")
    .find((taint) => !tolerations.some((toleration) => tolerates(toleration, taint)));
}

export function selectorMatches(
  labels: Readonly<Record<string, string>>,
  selector: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** Resource names where `requests` exceeds `free` (kube-scheduler's "Insufficient cpu"). */
export function insufficient(requests: Resources, free: Resources): string[] {
  return (Object.keys(RESOURCE_NAMES) as (keyof Resources)[])
    .filter((name) => requests[name] > free[name])
    .map((name) => RESOURCE_NAMES[name]);
}

export function subtract(a: Resources, b: Resources): Resources {
  return {
    cpuMilli: a.cpuMilli - b.cpuMilli,
    memoryBytes: a.memoryBytes - b.memoryBytes,
    pods: a.pods - b.pods,
  };
}

export function add(a: Resources, b: Resources): Resources {
  return {
    cpuMilli: a.cpuMilli + b.cpuMilli,
    memoryBytes: a.memoryBytes + b.memoryBytes,
    pods: a.pods + b.pods,
  };
}

/**
 * Why the pod could never run on an empty node shaped like this (taint, selector, size), in the scheduler's
 * words; undefined when it could.
 */
export function neverFits(
  pod: PendingPod,
  node: { allocatable: Resources; labels: Readonly<Record<string, string>>; taints: readonly Taint[] },
): string | undefined {
  const taint = untoleratedTaint(node.taints, pod.tolerations);
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
  if (!selectorMatches(node.labels, pod.nodeSelector))
    return "node(s) didn't match Pod's node affinity/selector";
  const short = insufficient(pod.requests, node.allocatable);
  if (short.length > 0) return short.map((name) => `Insufficient ${name}`).join(", ");
  return undefined;
}
