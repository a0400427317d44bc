import { API_VERSION } from "./common.js";

/**
 * The one model of a Kubernetes object: the metadata fields Slipway reads and writes (a JSON-shaped subset of
 * metav1.ObjectMeta), any object, lists, and the reference naming one kind of resource the way URLs do. Objects
 * come from the API as raw JSON, so timestamps are RFC 3339 strings.
 */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

/** Any Kubernetes object: custom resources and core kinds alike. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** A Slipway custom resource as read from the API server. */
export interface CustomResource<K extends string, Spec, Status> extends KubeObject {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
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
