import type { KubeObject, ResourceRef } from "../api/object.js";

export type { KubeList, KubeObject, ObjectMeta, ResourceRef } from "../api/object.js";
export { coreResources } from "../api/resources.js";

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
