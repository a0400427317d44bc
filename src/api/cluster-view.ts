/**
 * "A cluster": a ClusterDeployment or a HostedCluster, as registration, bootstrap policies, power and failover see
 * it. Those controllers watch both kinds with the same phases and read either through one view; the two kinds
 * differ only in the table at the end of this file (where the hub name, the admin kubeconfig and "provisioned"
 * come from), never in a branch of a controller.
 */
import type {
  ClusterDeployment,
  ClusterDeploymentStatus,
  ClusterPoolReference,
  ClusterPowerState,
  PowerState,
} from "./cluster-deployment.js";
import type { HostedCluster } from "./hosted-cluster.js";
import type { ResourceRef } from "./object.js";
import { platformOf, regionOf } from "./platform.js";
import { clusterDeploymentResource, hostedClusterResource } from "./resources.js";
import { s } from "./schema.js";

export const CLUSTER_KINDS = ["ClusterDeployment", "HostedCluster"] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];
export type ClusterObject = ClusterDeployment | HostedCluster;

/** The resources that are "a cluster", for watching and for status patches. */
export const clusterResources: Record<ClusterKind, ResourceRef> = {
  ClusterDeployment: clusterDeploymentResource,
  HostedCluster: hostedClusterResource,
};

/**
 * The status records of a cluster that controllers other than its provisioner own (registration, bootstrap, power),
 * each under its own field manager: the provisioner never sends them.
 */
export const CLUSTER_OTHER_WRITERS = ["registration", "bootstrap", "power"] as const;

export function isClusterKind(kind: string | undefined): kind is ClusterKind {
  return (CLUSTER_KINDS as readonly string[]).includes(kind ?? "");
}

/**
 * The kind of a status entry that names a cluster and carries none: entries (a policy's compliance, a failover's
 * clusters) were written before HostedClusters were clusters, when every cluster was a ClusterDeployment.
 */
export const DEFAULT_ENTRY_KIND: ClusterKind = "ClusterDeployment";

/**
 * `kind` of a status entry that names one cluster of a namespace. A ClusterDeployment and a HostedCluster may share
 * a name there, so an entry is the cluster's kind and name, never its name alone.
 */
export const clusterEntryKind = () =>
  s.enum(CLUSTER_KINDS, {
    description:
      "Kind of the cluster: a ClusterDeployment and a HostedCluster may share a name in a namespace, and each " +
      "has its own entry. Absent in entries written before HostedClusters: ClusterDeployment.",
    default: DEFAULT_ENTRY_KIND,
  });

/** One cluster among the clusters of a namespace: its kind and name, as `Kind/name`. */
export function clusterKey(kind: string | undefined, name: string): string {
  return `${kind ?? DEFAULT_ENTRY_KIND}/${name}`;
}

/** The key of a cluster object (one read from the API always carries its kind). */
export function clusterKeyOf(cluster: ClusterObject): string {
  return clusterKey(cluster.kind, cluster.metadata.name ?? "");
}

/** The key of a status entry naming a cluster (an entry without a kind is a ClusterDeployment's). */
export function entryKey(entry: { kind?: string; name: string }): string {
  return clusterKey(entry.kind, entry.name);
}

/**
 * How a list shows an entry's cluster: its name alone while every entry of the list is of one kind (so a fleet of
 * ClusterDeployments reads as before), `Kind/name` once both kinds are in it.
 */
export function entryLabeler(
  entries: readonly { kind?: string }[],
): (entry: { kind?: string; name: string }) => string {
  const kinds = new Set(entries.map((e) => e.kind ?? DEFAULT_ENTRY_KIND));
  return (entry) => (kinds.size > 1 ? entryKey(entry) : entry.name);
}

type Condition = NonNullable<NonNullable<ClusterDeploymentStatus["conditions"]>>[number];

/** What the cluster controllers read of a cluster's spec (one schema on both kinds). */
export interface ClusterSpecView {
  registration: ClusterDeployment["spec"]["registration"];
  hibernation?: ClusterDeployment["spec"]["hibernation"];
  /** Desired power state, Running when unset. */
  powerState: PowerState;
  hibernateAfter?: string;
}

/** The status records the cluster controllers write and read (one schema on both kinds). */
export interface ClusterStatusView {
  conditions?: Condition[];
  powerState?: ClusterPowerState;
  apiURL?: string;
  registration?: ClusterDeploymentStatus["registration"];
  bootstrap?: ClusterDeploymentStatus["bootstrap"];
  power?: ClusterDeploymentStatus["power"];
  provisionedAt?: string;
  lastResumedAt?: string;
  lastHibernatedAt?: string;
}

export interface ClusterView {
  kind: ClusterKind;
  /** Where the object lives on the hub: watch it, patch its /status, write an Event about it. */
  resource: ResourceRef;
  /** The object as read, for Events, owner references and status patches. */
  object: ClusterObject;
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  labels: Record<string, string>;
  deleting: boolean;
  /** `Kind ns/name`, for log keys and messages. */
  displayName: string;
  /**
   * The cluster's name on the hub and its platform: a ClusterDeployment's spec.clusterName, a HostedCluster's
   * metadata.name. Its ManagedCluster (cluster-scoped) is named after it.
   */
  clusterName: string;
  platform?: string;
  region?: string;
  spec: ClusterSpecView;
  status: ClusterStatusView;
  /** The first provision (or the first time the control plane was available) is done and the API URL is known. */
  provisioned: boolean;
  /**
   * The cluster runs as its spec asks, with no operation in flight: a ClusterDeployment's InfrastructureReady, a
   * HostedCluster's Available.
   */
  infrastructureReady: boolean;
  /** Secret (key `kubeconfig`) with the admin kubeconfig, in the cluster's namespace. */
  adminKubeconfigSecretName?: string;
  infraID?: string;
  /** The ClusterPool that made it (ClusterDeployments only: pools make no HostedClusters). */
  clusterPoolRef?: ClusterPoolReference;
}

function conditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return conditions?.some((c) => c.type === type && c.status === "True") ?? false;
}

/** What differs between the two kinds, in one place. */
const kindReaders: {
  [K in ClusterKind]: {
    clusterName(o: Extract<ClusterObject, { kind: K }>): string;
    adminKubeconfigSecretName(o: Extract<ClusterObject, { kind: K }>): string | undefined;
    provisioned(o: Extract<ClusterObject, { kind: K }>): boolean;
    infrastructureReady(o: Extract<ClusterObject, { kind: K }>): boolean;
    clusterPoolRef(o: Extract<ClusterObject, { kind: K }>): ClusterPoolReference | undefined;
  };
} = {
  ClusterDeployment: {
    clusterName: (cd) => cd.spec.clusterName,
    adminKubeconfigSecretName: (cd) => cd.status?.adminKubeconfigSecretRef?.name,
    provisioned: (cd) => conditionTrue(cd.status?.conditions, "Provisioned") && Boolean(cd.status?.apiURL),
    infrastructureReady: (cd) => conditionTrue(cd.status?.conditions, "InfrastructureReady"),
    clusterPoolRef: (cd) => cd.spec.clusterPoolRef,
  },
  HostedCluster: {
    clusterName: (hc) => hc.metadata.name ?? "",
    // HyperShift's name, status.kubeconfig, is the one a HostedCluster has (no adminKubeconfigSecretRef).
    adminKubeconfigSecretName: (hc) => hc.status?.kubeconfig?.name,
    provisioned: (hc) => Boolean(hc.status?.provisionedAt) && Boolean(hc.status?.apiURL),
    infrastructureReady: (hc) => conditionTrue(hc.status?.conditions, "Available"),
    clusterPoolRef: () => undefined,
  },
};

/** The view of a ClusterDeployment or HostedCluster read from the hub. */
export function clusterView(object: ClusterObject): ClusterView {
  // Objects read from the API always carry their kind; a hand-built one without it is a ClusterDeployment, the
  // kind these controllers knew first.
  const kind = object.kind ?? "ClusterDeployment";
  if (!isClusterKind(kind))
    throw new Error(`${String(kind)} is not a cluster kind (${CLUSTER_KINDS.join(", ")})`);
  const readers = kindReaders[kind] as (typeof kindReaders)["ClusterDeployment"];
  const o = object as ClusterDeployment;
  const spec = object.spec as ClusterDeployment["spec"];
  const status = (object.status ?? {}) as ClusterStatusView;
  const namespace = object.metadata.namespace ?? "";
  const name = object.metadata.name ?? "";
  return {
    kind,
    resource: clusterResources[kind],
    object,
    name,
    namespace,
    uid: object.metadata.uid,
    generation: object.metadata.generation,
    labels: object.metadata.labels ?? {},
    deleting: Boolean(object.metadata.deletionTimestamp),
    displayName: `${kind} ${namespace}/${name}`,
    clusterName: readers.clusterName(o),
    platform: platformOf(spec),
    region: regionOf(spec),
    spec: {
      registration: spec.registration,
      hibernation: spec.hibernation,
      powerState: spec.powerState ?? "Running",
      hibernateAfter: spec.hibernateAfter,
    },
    status,
    provisioned: readers.provisioned(o),
    infrastructureReady: readers.infrastructureReady(o),
    adminKubeconfigSecretName: readers.adminKubeconfigSecretName(o),
    infraID: (object.status as { infraID?: string } | undefined)?.infraID,
    clusterPoolRef: readers.clusterPoolRef(o),
  };
}
