import type { V1OwnerReference } from "@kubernetes/client-node";

/**
 * The metadata fields the runtime reads. Objects come from the API as raw JSON, so timestamps are RFC 3339
 * strings at run time; `Date` is allowed in the type only so that @kubernetes/client-node's V1ObjectMeta
 * (and types built on it) still satisfy this interface.
 */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: V1OwnerReference[];
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
}

/** Any Kubernetes object: custom resources and core kinds alike. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface KubeList<T extends KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** Names one kind of resource on the API server, the way URLs do. */
export interface ResourceRef {
  /** "" for the core group (Secrets, ConfigMaps, Events ...). */
  group: string;
  version: string;
  /** Lower-case plural as in URLs: "clusterdeployments", "leases". */
  plural: string;
  /** Needed for server-side apply bodies and owner references; informers fill it in on listed items. */
  kind: string;
  namespaced: boolean;
}

export function apiVersionOf(resource: ResourceRef): string {
  return resource.group === "" ? resource.version : `${resource.group}/${resource.version}`;
}

function groupPrefix(resource: ResourceRef): string {
  return resource.group === "" ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
}

/** The collection URL: all namespaces when `namespace` is undefined (or the resource is cluster-scoped). */
export function collectionPath(resource: ResourceRef, namespace?: string): string {
  const scope = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${groupPrefix(resource)}${scope}/${resource.plural}`;
}

export function objectPath(
  resource: ResourceRef,
  namespace: string | undefined,
  name: string,
  subresource?: string,
): string {
  if (resource.namespaced && !namespace)
    throw new Error(`${resource.plural} is namespaced: a namespace is required`);
  const base = `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}`;
  return subresource ? `${base}/${subresource}` : base;
}

/** The work-queue key of an object: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(object: KubeObject): string {
  const name = object.metadata?.name ?? "";
  const namespace = object.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

export function parseObjectKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  if (slash < 0) return { name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Well-known core kinds the runtime and controllers use. */
export const coreResources = {
  secrets: { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true },
  configMaps: { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true },
  namespaces: { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false },
  events: { group: "", version: "v1", plural: "events", kind: "Event", namespaced: true },
  leases: { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true },
} as const satisfies Record<string, ResourceRef>;
