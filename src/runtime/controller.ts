import type { ClusterKind } from "../api/index.js";
import type { BackoffOptions } from "./backoff.js";
import type { Reconciler } from "./reconciler.js";
import type { KubeObject, ResourceRef } from "./resource.js";

/** A kind whose changes should reconcile some primary objects. */
export interface SecondaryWatch {
  resource: ResourceRef;
  /** Server-side label filter for this kind's informer. */
  labelSelector?: string;
  /** Keys ("namespace/name") of the primary objects to reconcile when `object` is added, changed or deleted. */
  mapToPrimary(object: KubeObject): string[];
  /**
   * Batch a stream of changes: the primary is reconciled this long after the first change, once for all that
   * came meanwhile (1,000 clusters changing must not mean 1,000 passes of a policy over 1,000 clusters).
   */
  delayMs?: number;
}

export interface ControllerWatches {
  /** The kind this controller reconciles; its keys are the queue's keys. */
  primary: ResourceRef;
  /** Kinds whose objects carry a controller ownerReference to a primary object (Secrets a CD owns ...). */
  owns?: ResourceRef[];
  /** Any other kind, with its own mapping to primary keys (claims -> pools, policies -> clusters ...). */
  secondary?: SecondaryWatch[];
}

/** What a controller tells the Manager. */
export interface ControllerRegistration<T extends KubeObject, S> {
  /** "cluster-deployment": used in logs, metrics and the queue name. */
  name: string;
  watches: ControllerWatches;
  reconciler: Reconciler<T, S>;
  /** Different keys reconciled at once (one key is never reconciled twice at once). */
  concurrency?: number;
  backoff?: BackoffOptions;
  /** Field manager of its status writes and finalizer patches; default `slipway-<name>`. */
  fieldManager?: string;
}

/** Maps an owned object to its controller owner of `ownerKind` (and API group) in the same namespace. */
export function ownedBy(ownerKind: string, ownerGroup?: string): (object: KubeObject) => string[] {
  return (object) =>
    (object.metadata?.ownerReferences ?? [])
      .filter(
        (ref) =>
          ref.controller === true &&
          ref.kind === ownerKind &&
          (ownerGroup === undefined || apiGroupOf(ref.apiVersion) === ownerGroup),
      )
      .map((ref) => (object.metadata?.namespace ? `${object.metadata.namespace}/${ref.name}` : ref.name));
}

function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/**
 * The controllers that act on "a cluster" (registration, bootstrap, power) run one instance per cluster kind over
 * the same phases: `power` over ClusterDeployments, `power-hosted-cluster` over HostedClusters. The ClusterDeployment
 * keeps the bare name (its metrics, logs and job-event routing stay as they were).
 */
export function clusterControllerName(base: string, kind: ClusterKind): string {
  return kind === "ClusterDeployment" ? base : `${base}-hosted-cluster`;
}
