import * as pulumi from "@pulumi/pulumi";
import { Deployment } from "@pulumi/kubernetes/apps/v1/deployment.js";
import { StatefulSet } from "@pulumi/kubernetes/apps/v1/statefulSet.js";
import { Namespace } from "@pulumi/kubernetes/core/v1/namespace.js";
import { Secret } from "@pulumi/kubernetes/core/v1/secret.js";
import { Service } from "@pulumi/kubernetes/core/v1/service.js";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1/networkPolicy.js";
import { Provider } from "@pulumi/kubernetes/provider.js";
import { MANAGEMENT_KUBECONFIG_KEY } from "../../src/api/platforms/kubernetes.js";
import { renderKubeconfig } from "../../src/api/kubeconfig.js";
import { ClusterComponent } from "../cluster-component.js";
import { requireCredentials } from "../credentials.js";
import type { HostedKubernetesInputs } from "./inputs.js";
import {
  API_SERVER_PORT,
  KUBECONFIG_SECRETS,
  PKI_SECRET,
  controlPlaneLayout,
  controlPlaneManifests,
  podsReadiness,
} from "./manifests.js";
import { generatePki, type ControlPlanePki } from "./pki.js";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/**
 * A hosted control plane as workloads on a management cluster (Kamaji's model, konnectivity-free): its namespace,
 * the PKI and kubeconfigs as Secrets, an etcd StatefulSet behind a headless Service, the kube-apiserver Deployment
 * and Service, and kube-controller-manager and kube-scheduler Deployments. Hibernation scales every workload to
 * zero; etcd's volume, and so the cluster's data, stays.
 *
 * The PKI is written once: each run makes a fresh one (openssl, a fraction of a second), but the PKI Secret ignores
 * changes to its data, so the engine keeps the first run's certificates and every kubeconfig is built from what the
 * Secret holds, never from this run's throwaway keys.
 */
export class HostedControlPlane extends ClusterComponent {
  controlPlaneReady!: pulumi.Output<boolean>;
  controlPlaneMessage!: pulumi.Output<string>;

  constructor(
    name: string,
    inputs: HostedKubernetesInputs,
    fresh: ControlPlanePki,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("slipway:kubernetes:HostedControlPlane", name, {}, opts);
    const layout = controlPlaneLayout(inputs);
    const m = controlPlaneManifests(inputs, layout);
    const child = { parent: this };

    const namespace = new Namespace(`${name}-namespace`, m.namespace, child);
    const inNamespace = { parent: this, dependsOn: [namespace] };

    const pkiData: Record<string, string> = {
      ...Object.fromEntries(Object.entries(fresh.files).map(([file, pem]) => [file, b64(pem)])),
      "admin.crt": b64(fresh.clients.admin.cert),
      "admin.key": b64(fresh.clients.admin.key),
      "controller-manager.crt": b64(fresh.clients.controllerManager.cert),
      "controller-manager.key": b64(fresh.clients.controllerManager.key),
      "scheduler.crt": b64(fresh.clients.scheduler.cert),
      "scheduler.key": b64(fresh.clients.scheduler.key),
    };
    const pkiSecret = new Secret(
      `${name}-pki`,
      {
        metadata: { name: PKI_SECRET, namespace: layout.namespace, labels: layout.labels },
        type: "Opaque",
        data: pulumi.secret(pkiData),
      },
      { ...inNamespace, ignoreChanges: ["data"], additionalSecretOutputs: ["data"] },
    );
    // What the Secret holds (the first run's PKI), base64 by file.
    const kept = pulumi.secret(pkiSecret.data as pulumi.Output<Record<string, string>>);
    const caData = pulumi.unsecret(kept.apply((d) => d["ca.crt"] ?? ""));

    const kubeconfigFor = (server: string, user: string, certKey: string, keyKey: string) =>
      kept.apply((d) =>
        renderKubeconfig({
          cluster: inputs.clusterName,
          server,
          caData: d["ca.crt"] ?? "",
          user,
          credentials: { clientCertificateData: d[certKey] ?? "", clientKeyData: d[keyKey] ?? "" },
        }),
      );
    const inCluster = `https://kube-apiserver:${API_SERVER_PORT}`;
    const kubeconfigSecret = (id: string, secretName: string, kubeconfig: pulumi.Output<string>) =>
      new Secret(
        `${name}-${id}`,
        {
          metadata: { name: secretName, namespace: layout.namespace, labels: layout.labels },
          type: "Opaque",
          stringData: { kubeconfig },
        },
        { ...inNamespace, additionalSecretOutputs: ["data", "stringData"] },
      );
    const adminKubeconfig = kubeconfigFor(layout.apiURL, "slipway-admin", "admin.crt", "admin.key");
    const secrets = [
      pkiSecret,
      kubeconfigSecret(
        "controller-manager-kubeconfig",
        KUBECONFIG_SECRETS.controllerManager,
        kubeconfigFor(
          inCluster,
          "kube-controller-manager",
          "controller-manager.crt",
          "controller-manager.key",
        ),
      ),
      kubeconfigSecret(
        "scheduler-kubeconfig",
        KUBECONFIG_SECRETS.scheduler,
        kubeconfigFor(inCluster, "kube-scheduler", "scheduler.crt", "scheduler.key"),
      ),
      kubeconfigSecret("admin-kubeconfig", KUBECONFIG_SECRETS.admin, adminKubeconfig),
    ];

    const etcdService = new Service(`${name}-etcd`, m.etcdService, inNamespace);
    new NetworkPolicy(`${name}-etcd-ingress`, m.etcdPolicy, inNamespace);
    const etcd = new StatefulSet(`${name}-etcd`, m.etcd, { parent: this, dependsOn: [etcdService] });
    new Service(`${name}-kube-apiserver`, m.apiServerService, inNamespace);
    const afterSecrets = { parent: this, dependsOn: [namespace, ...secrets] };
    const apiServer = new Deployment(`${name}-kube-apiserver`, m.apiServer, afterSecrets);
    const controllerManager = new Deployment(
      `${name}-kube-controller-manager`,
      m.controllerManager,
      afterSecrets,
    );
    const scheduler = new Deployment(`${name}-kube-scheduler`, m.scheduler, afterSecrets);

    // Read when applied (the provider does not wait for workloads); a refresh reads them again.
    const readiness = pulumi
      .all([
        etcd.spec.replicas,
        etcd.status.readyReplicas,
        ...[apiServer, controllerManager, scheduler].flatMap((d) => [
          d.spec.replicas,
          d.status.readyReplicas,
        ]),
      ])
      .apply((counts) =>
        podsReadiness(
          ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"].map((workload, i) => ({
            name: workload,
            wanted: counts[2 * i] ?? 0,
            ready: counts[2 * i + 1] ?? 0,
          })),
        ),
      );
    this.controlPlaneReady = readiness.apply((r) => r.ready);
    this.controlPlaneMessage = readiness.apply((r) => r.message);
    this.exposeOutputs({
      apiURL: pulumi.output(layout.apiURL),
      caData,
      kubeconfig: adminKubeconfig,
      infraID: pulumi.output(layout.infraID),
      powerState: pulumi.output(inputs.powerState),
    });
  }

  override outputs() {
    return {
      ...super.outputs(),
      controlPlaneReady: this.controlPlaneReady,
      controlPlaneMessage: this.controlPlaneMessage,
    };
  }
}

/** The management cluster's provider: its kubeconfig comes from the credentials Secret, as a secret. */
function managementProvider(inputs: HostedKubernetesInputs): Provider {
  const kubeconfig = requireCredentials().apply((c) => {
    const value = c[MANAGEMENT_KUBECONFIG_KEY];
    if (!value) throw new Error(`the credentials Secret has no '${MANAGEMENT_KUBECONFIG_KEY}' key`);
    return value;
  });
  return new Provider(`${inputs.clusterName}-management`, {
    kubeconfig: pulumi.secret(kubeconfig),
    // Objects are named by the layout (no random suffixes): a second run or a re-created stack finds them.
    deleteUnreachable: false,
  });
}

/** The `kubernetes` platform's HostedCluster program. */
export function program(inputs: HostedKubernetesInputs) {
  return async () => {
    const fresh = await generatePki(inputs.clusterName, controlPlaneLayout(inputs));
    const provider = managementProvider(inputs);
    return new HostedControlPlane(inputs.clusterName, inputs, fresh, { providers: [provider] }).outputs();
  };
}

/**
 * How many resources one run registers: the stack, the provider, the component, the namespace, four Secrets, two
 * Services, the NetworkPolicy, the StatefulSet and three Deployments.
 */
export const HOSTED_KUBERNETES_RESOURCES = 15;
