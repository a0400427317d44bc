import { clusterView, type ClusterObject } from "../../api/index.js";
import { namespaceResource, secretResource } from "../../api/resources.js";
import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { isNotFound } from "../../errors/index.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { logger } from "../../runtime/logging.js";
import type { KubeObject, ResourceRef } from "../../runtime/resource.js";
import { approvalDecision } from "./csr-approval.js";
import {
  bootstrapRbac,
  desiredManagedCluster,
  managedClusterNameOf,
  ownedBy,
  ownerAnnotations,
  ownerLabels,
  type ManagedClusterObject,
} from "./managed-cluster.js";
import { MANAGED_CLUSTER_LABEL, OWNER_ANNOTATION, OWNER_UID_LABEL } from "./names.js";
import {
  clusterRoleBindingResource,
  clusterRoleResource,
  csrResource,
  managedClusterResource,
  managedClusterSetResource,
  serviceAccountResource,
} from "./resources.js";
import type { RegistrationScope } from "./scope.js";

const log = logger("registration.hub");
export const REGISTRATION_FIELD_MANAGER = "slipway-registration";

function apply(kube: KubeClient, resource: ResourceRef, object: KubeObject): Promise<KubeObject> {
  return kube.patch(resource, object.metadata?.namespace, object.metadata!.name!, object, {
    type: "apply",
    fieldManager: REGISTRATION_FIELD_MANAGER,
    force: true,
  });
}

function ref(cd: ClusterObject): string {
  return `${cd.metadata?.namespace}/${cd.metadata?.name}`;
}

/**
 * Who owns the name on the hub: undefined when this ClusterDeployment may use it, else why not. A ManagedCluster
 * or namespace of that name that Slipway did not create for this very ClusterDeployment (another one with the
 * same clusterName, an imported cluster, a system namespace such as kube-system) is never taken over, and so
 * never deleted on deregistration either.
 */
export async function nameTakenBy(scope: RegistrationScope): Promise<string | undefined> {
  const { cd, deps } = scope;
  const name = managedClusterNameOf(cd);
  const existing = scope.managedCluster;
  if (existing && !ownedBy(existing, cd)) {
    const owner = existing.metadata?.annotations?.[OWNER_ANNOTATION];
    return `ManagedCluster ${name} already exists on the hub${owner ? ` for ClusterDeployment ${owner}` : ", not created by Slipway"}`;
  }
  const namespace = await deps.kube.getIfExists(namespaceResource, undefined, name);
  if (namespace && !ownedBy(namespace, cd))
    return `the hub already has a namespace ${name} that is not this cluster's`;
  return undefined;
}

/**
 * Everything the hub needs before the agent can join: the ManagedClusterSet (created when missing, never
 * taken over), the cluster's namespace, its bootstrap identity and the ManagedCluster itself.
 */
export async function ensureHubSide(
  scope: RegistrationScope,
  endpoint: { apiURL: string; caBundle?: string },
  leaseDurationSeconds: number,
): Promise<ManagedClusterObject> {
  const { cd, deps } = scope;
  const kube = deps.kube;
  const name = managedClusterNameOf(cd);
  const clusterSet = cd.spec.registration?.clusterSet ?? "default";
  if (!(await kube.getIfExists(managedClusterSetResource, undefined, clusterSet))) {
    await kube
      .create(
        managedClusterSetResource,
        {
          apiVersion: "cluster.open-cluster-management.io/v1beta2",
          kind: "ManagedClusterSet",
          metadata: { name: clusterSet, labels: { "app.kubernetes.io/managed-by": "slipway" } },
          spec: { clusterSelector: { selectorType: "ExclusiveClusterSetLabel" } },
        } as KubeObject,
        { fieldManager: REGISTRATION_FIELD_MANAGER },
      )
      .catch((error: unknown) => {
        if ((error as { statusCode?: number }).statusCode !== 409) throw error;
      });
    log.info({ ClusterDeployment: ref(cd), clusterSet }, "Created the ManagedClusterSet");
    await deps.event(
      cd,
      "Normal",
      Reason.ManagedClusterSetCreated,
      `Created ManagedClusterSet ${clusterSet}`,
    );
  }
  await apply(kube, namespaceResource, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: ownerLabels(cd), annotations: ownerAnnotations(cd) },
  });
  const [serviceAccount, role, binding] = bootstrapRbac(cd);
  await apply(kube, serviceAccountResource, serviceAccount!);
  await apply(kube, clusterRoleResource, role!);
  await apply(kube, clusterRoleBindingResource, binding!);
  return (await apply(
    kube,
    managedClusterResource,
    desiredManagedCluster(cd, endpoint, leaseDurationSeconds),
  )) as ManagedClusterObject;
}

/** The API URL and CA the ManagedCluster advertises, from the cluster's admin kubeconfig Secret. */
export async function clusterEndpoint(
  scope: RegistrationScope,
): Promise<{ apiURL: string; caBundle?: string } | undefined> {
  const { cd, deps } = scope;
  const apiURL = cd.status?.apiURL;
  const secretName = clusterView(cd).adminKubeconfigSecretName;
  if (!apiURL || !secretName) return undefined;
  const secret = await deps.kube.getIfExists<KubeObject & { data?: Record<string, string> }>(
    secretResource,
    cd.metadata!.namespace,
    secretName,
  );
  const kubeconfig = secret?.data?.kubeconfig
    ? Buffer.from(secret.data.kubeconfig, "base64").toString("utf8")
    : "";
  const caBundle = /certificate-authority-data:\s*(\S+)/.exec(kubeconfig)?.[1];
  return { apiURL, caBundle };
}

/** Approves the agent CSRs of this cluster that its own bootstrap identity asked for; reports the others once. */
export async function approveAgentCsrs(scope: RegistrationScope): Promise<number> {
  const { cd, deps } = scope;
  const name = managedClusterNameOf(cd);
  let approved = 0;
  for (const csr of deps.hub.csrsOf(name)) {
    const decision = approvalDecision(csr, name);
    const csrName = csr.metadata?.name ?? "";
    if (decision.approve) {
      await deps.kube.replace(
        csrResource,
        {
          ...(csr as KubeObject),
          status: {
            ...(csr.status ?? {}),
            conditions: [
              ...(csr.status?.conditions ?? []),
              {
                type: "Approved",
                status: "True",
                reason: Reason.CertificateApproved,
                message: `Slipway vouches for cluster ${name}: requested by its bootstrap identity`,
              },
            ],
          },
        } as KubeObject,
        { subresource: "approval", fieldManager: REGISTRATION_FIELD_MANAGER },
      );
      approved++;
      log.info({ ClusterDeployment: ref(cd), csr: csrName }, "Approved the agent's certificate request");
      await deps.event(
        cd,
        "Normal",
        Reason.CertificateApproved,
        `Approved certificate request ${csrName} of the agent`,
      );
    } else if (decision.why !== "already decided") {
      log.warn(
        { ClusterDeployment: ref(cd), csr: csrName, why: decision.why },
        "Not approving a certificate request",
      );
      await deps.event(
        cd,
        "Warning",
        Reason.CertificateRefused,
        `Certificate request ${csrName} for cluster ${name} is not approved: ${decision.why}`,
      );
    }
  }
  return approved;
}

/**
 * Deletes what registration created on the hub for this ClusterDeployment (only what carries its uid) and returns
 * what is still there: ManagedCluster (OCM's controller removes its finalizers), the cluster namespace (OCM leaves
 * it; its lease, RoleBindings and the bootstrap ServiceAccount go with it) and the bootstrap ClusterRole and
 * ClusterRoleBinding.
 */
export async function removeHubSide(scope: RegistrationScope): Promise<string[]> {
  const { cd, deps } = scope;
  const kube = deps.kube;
  const name = managedClusterNameOf(cd);
  const uid = cd.metadata!.uid!;
  const left: string[] = [];
  const remove = async (
    resource: ResourceRef,
    namespace: string | undefined,
    object: KubeObject | undefined,
  ) => {
    if (!object || !ownedBy(object, cd)) return;
    left.push(`${resource.kind} ${object.metadata!.name}`);
    if (object.metadata?.deletionTimestamp) return;
    await kube.delete(resource, namespace, object.metadata!.name!).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  };
  await remove(
    managedClusterResource,
    undefined,
    await kube.getIfExists(managedClusterResource, undefined, name),
  );
  for (const resource of [clusterRoleBindingResource, clusterRoleResource]) {
    const owned = await kube.list(resource, {
      labelSelector: `${OWNER_UID_LABEL}=${uid},${MANAGED_CLUSTER_LABEL}=${name}`,
    });
    for (const object of owned.items) await remove(resource, undefined, object);
  }
  // The ManagedCluster goes first: while it exists OCM's controller may still write into its namespace.
  if (!left.some((l) => l.startsWith("ManagedCluster ")))
    await remove(namespaceResource, undefined, await kube.getIfExists(namespaceResource, undefined, name));
  else if (ownedBy(await kube.getIfExists(namespaceResource, undefined, name), cd))
    left.push(`Namespace ${name}`);
  return left;
}
