import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseAllDocuments } from "yaml";
import { isNotFound } from "../../errors/index.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import { ocmKlusterletManifestDir } from "../../runtime/paths.js";
import type { KubeObject, ResourceRef } from "../../runtime/resource.js";
import { REGISTRATION_FIELD_MANAGER } from "./hub.js";
import { AGENT_NAMESPACE } from "./names.js";

/** The OCM release whose klusterlet operator, registration and work agents a cloud cluster runs. */
export const OCM_IMAGE_TAG = "v1.2.0";
const IMAGES = "quay.io/open-cluster-management";

/** The kinds of the klusterlet manifests, for the API paths server-side apply needs. */
const RESOURCES: Record<string, ResourceRef> = {
  CustomResourceDefinition: {
    group: "apiextensions.k8s.io",
    version: "v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    namespaced: false,
  },
  ClusterRole: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "ClusterRole",
    plural: "clusterroles",
    namespaced: false,
  },
  ClusterRoleBinding: {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    namespaced: false,
  },
  Namespace: { group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  ServiceAccount: {
    group: "",
    version: "v1",
    kind: "ServiceAccount",
    plural: "serviceaccounts",
    namespaced: true,
  },
  Deployment: { group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true },
  Klusterlet: {
    group: "operator.open-cluster-management.io",
    version: "v1",
    kind: "Klusterlet",
    plural: "klusterlets",
    namespaced: false,
  },
};

/**
 * What a cluster on a cloud platform needs to join a hub that runs OCM (the embedded one, OCM or ACM): OCM's
 * klusterlet operator (its CRD, RBAC, namespace and Deployment, from the ocm module) and the Klusterlet that
 * makes it run the registration and work agents for `clusterName`. The agents read Secret
 * bootstrap-hub-kubeconfig in open-cluster-management-agent, which registration writes before these.
 */
export function klusterletManifests(clusterName: string): KubeObject[] {
  const files = readdirSync(ocmKlusterletManifestDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const objects = files.flatMap((f) =>
    parseAllDocuments(readFileSync(join(ocmKlusterletManifestDir, f), "utf8"))
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => !!o?.kind),
  );
  const klusterlet = {
    apiVersion: "operator.open-cluster-management.io/v1",
    kind: "Klusterlet",
    metadata: { name: "klusterlet" },
    spec: {
      deployOption: { mode: "Default" },
      clusterName,
      namespace: AGENT_NAMESPACE,
      registrationImagePullSpec: `${IMAGES}/registration:${OCM_IMAGE_TAG}`,
      workImagePullSpec: `${IMAGES}/work:${OCM_IMAGE_TAG}`,
      imagePullSpec: `${IMAGES}/registration-operator:${OCM_IMAGE_TAG}`,
    },
  } as KubeObject;
  return [...objects, klusterlet];
}

/**
 * Applies the klusterlet manifests on the spoke (server-side apply, Slipway's field manager). The Klusterlet
 * waits until the API server serves its new CRD (a few seconds at most; 30 s, then the job retries).
 */
export async function applyKlusterlet(spoke: KubeClient, clusterName: string): Promise<void> {
  for (const object of klusterletManifests(clusterName)) {
    const resource = RESOURCES[object.kind!];
    if (!resource) throw new Error(`klusterlet manifests: no API path known for kind ${object.kind}`);
    const apply = () =>
      spoke.patch(resource, object.metadata?.namespace, object.metadata!.name!, object, {
        type: "apply",
        fieldManager: REGISTRATION_FIELD_MANAGER,
        force: true,
      });
    for (let waited = 0; ; waited += 500) {
      try {
        await apply();
        break;
      } catch (error) {
        if (!isNotFound(error) || waited >= 30_000) throw error;
        await sleep(500);
      }
    }
  }
}
