import { describe, expect, it } from "vitest";
import {
  CLUSTER_KINDS,
  clusterView,
  kindDefinition,
  hostedClusterResource,
  clusterDeploymentResource,
  type ClusterDeployment,
  type HostedCluster,
} from "../../../src/api/index.js";

const cd = {
  apiVersion: "slipway.dev/v1alpha1",
  kind: "ClusterDeployment",
  metadata: { name: "dev", namespace: "team-a", uid: "u1", labels: { env: "dev" } },
  spec: {
    clusterName: "dev-cluster",
    platform: { local: {} },
    registration: { enabled: true, clusterSet: "default" },
    powerState: "Hibernating",
    hibernateAfter: "8h",
  },
  status: {
    conditions: [
      { type: "Provisioned", status: "True", reason: "Provisioned", message: "", lastTransitionTime: "" },
    ],
    apiURL: "https://127.0.0.1:6443",
    adminKubeconfigSecretRef: { name: "dev-admin-kubeconfig" },
    powerState: "Running",
  },
} as unknown as ClusterDeployment;

const hc = {
  apiVersion: "slipway.dev/v1alpha1",
  kind: "HostedCluster",
  metadata: { name: "hosted", namespace: "team-a", uid: "u2" },
  spec: {
    release: { version: "1.34.1" },
    platform: { simulated: {} },
    registration: { enabled: false, clusterSet: "default" },
    hibernation: { schedules: [{ start: "0 19 * * *", location: "UTC" }] },
  },
  status: { apiURL: "https://127.0.0.1:7443", kubeconfig: { name: "hosted-admin-kubeconfig" } },
} as unknown as HostedCluster;

describe("the cluster view", () => {
  it("reads a ClusterDeployment's hub name, kubeconfig and power from its own fields", () => {
    const view = clusterView(cd);
    expect(view).toMatchObject({
      kind: "ClusterDeployment",
      resource: clusterDeploymentResource,
      clusterName: "dev-cluster",
      platform: "local",
      provisioned: true,
      adminKubeconfigSecretName: "dev-admin-kubeconfig",
      labels: { env: "dev" },
      displayName: "ClusterDeployment team-a/dev",
      spec: { powerState: "Hibernating", hibernateAfter: "8h" },
      status: { powerState: "Running" },
    });
  });

  it("names a HostedCluster's ManagedCluster after the HostedCluster and reads HyperShift's status.kubeconfig", () => {
    const view = clusterView(hc);
    expect(view).toMatchObject({
      kind: "HostedCluster",
      resource: hostedClusterResource,
      clusterName: "hosted",
      platform: "simulated",
      adminKubeconfigSecretName: "hosted-admin-kubeconfig",
      spec: { powerState: "Running", hibernation: { schedules: [{ start: "0 19 * * *" }] } },
      clusterPoolRef: undefined,
    });
  });

  it("counts a HostedCluster as provisioned once its controller wrote provisionedAt and apiURL", () => {
    expect(clusterView(hc).provisioned).toBe(false);
    const available = {
      ...hc,
      status: { ...hc.status, provisionedAt: "2026-01-01T00:00:00Z" },
    } as HostedCluster;
    expect(clusterView(available).provisioned).toBe(true);
  });

  it("refuses an object that is not a cluster", () => {
    expect(() => clusterView({ ...hc, kind: "NodePool" } as unknown as HostedCluster)).toThrow(
      /not a cluster kind/,
    );
  });

  it.each(CLUSTER_KINDS)(
    "a %s names its ManagedCluster once, in status.registration, which the registration controller writes",
    (kind) => {
      const status = kindDefinition(kind).status!.json as {
        properties: Record<string, { properties?: Record<string, unknown> }>;
      };
      // A top-level status.managedClusterName was declared and never written: a field no controller writes is gone.
      expect(Object.keys(status.properties)).not.toContain("managedClusterName");
      expect(Object.keys(status.properties.registration?.properties ?? {})).toContain("managedClusterName");
    },
  );
});
