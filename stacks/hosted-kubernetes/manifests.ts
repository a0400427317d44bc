import type * as k8s from "@pulumi/kubernetes";
import { infraIDFor } from "../cloud/inputs.js";
import type { HostedKubernetesInputs } from "./inputs.js";

/**
 * The objects of a hosted control plane on the management cluster, as plain manifests (no secret in them: the
 * certificates and kubeconfigs are Secrets the program fills). Pure, so that the program, its unit tests and a
 * server-side dry-run all see the same objects. Konnectivity-free: the API server reaches nodes directly.
 */

export const API_SERVER_PORT = 6443;
const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;

/** The Secret holding the control plane's PKI (kept as first written: see program.ts). */
export const PKI_SECRET = "control-plane-pki";
/** The Secrets holding each component's kubeconfig, and the admin's. */
export const KUBECONFIG_SECRETS = {
  controllerManager: "kube-controller-manager-kubeconfig",
  scheduler: "kube-scheduler-kubeconfig",
  admin: "admin-kubeconfig",
} as const;

/** Files of PKI_SECRET, named as src/local/pki.ts names them. */
export const PKI_FILES = ["ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "sa.key", "sa.pub"] as const;
export type PkiFile = (typeof PKI_FILES)[number];

/** Pulumi's Kubernetes provider waits for workloads to become ready; on a cluster without nodes that never ends. */
const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };

type Deployment = k8s.types.input.apps.v1.Deployment;
type StatefulSet = k8s.types.input.apps.v1.StatefulSet;
type Service = k8s.types.input.core.v1.Service;
type NetworkPolicy = k8s.types.input.networking.v1.NetworkPolicy;
type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;

export interface ControlPlaneLayout {
  namespace: string;
  infraID: string;
  /** The host in the admin kubeconfig and the serving certificate's extra names. */
  endpointHost: string;
  apiURL: string;
  /** DNS names the API server's certificate carries besides the loopback and kubernetes.default names. */
  servingDnsNames: string[];
  /** The hosted cluster's `kubernetes` Service IP (first address of its Service network), also in the certificate. */
  servingIpAddresses: string[];
  /** Replicas of each component while Running (0 each while Hibernating). */
  replicas: number;
  labels: Record<string, string>;
}

/** Names, endpoint and sizes of one hosted control plane. */
export function controlPlaneLayout(inputs: HostedKubernetesInputs): ControlPlaneLayout {
  const p = inputs.platform;
  const namespace = p.namespace ?? `hcp-${inputs.clusterName}`;
  const serviceDns = [
    "kube-apiserver",
    `kube-apiserver.${namespace}`,
    `kube-apiserver.${namespace}.svc`,
    `kube-apiserver.${namespace}.svc.cluster.local`,
  ];
  const endpointHost = p.endpointHost ?? `kube-apiserver.${namespace}.svc`;
  return {
    namespace,
    infraID: infraIDFor(inputs.clusterName, inputs.clusterUID),
    endpointHost,
    apiURL: `https://${endpointHost}:${API_SERVER_PORT}`,
    servingDnsNames: [...new Set([...serviceDns, endpointHost])],
    servingIpAddresses: [firstAddress(inputs.serviceNetwork[0]!.cidr)],
    replicas: inputs.controllerAvailabilityPolicy === "HighlyAvailable" ? 3 : 1,
    labels: {
      "app.kubernetes.io/managed-by": "slipway",
      "slipway.dev/hosted-cluster": inputs.clusterName,
      "slipway.dev/cluster-uid": inputs.clusterUID,
    },
  };
}

/** The first host address of an IPv4 CIDR (the `kubernetes` Service's IP); an IPv6 one's `::1` after its prefix. */
export function firstAddress(cidr: string): string {
  const [base = ""] = cidr.split("/");
  if (base.includes(":")) return base.replace(/::$/, "::1");
  const octets = base.split(".").map(Number);
  const value = (((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!) >>> 0;
  const next = value + 1;
  return [next >>> 24, (next >>> 16) & 255, (next >>> 8) & 255, next & 255].join(".");
}

export interface ControlPlaneManifests {
  namespace: k8s.types.input.core.v1.Namespace;
  etcdService: Service;
  etcd: StatefulSet;
  etcdPolicy: NetworkPolicy;
  apiServerService: Service;
  apiServer: Deployment;
  controllerManager: Deployment;
  scheduler: Deployment;
}

/** Every object but the Secrets, for the inputs and the desired power state (Hibernating: replicas 0). */
export function controlPlaneManifests(inputs: HostedKubernetesInputs, layout = controlPlaneLayout(inputs)) {
  const { namespace, labels } = layout;
  const p = inputs.platform;
  const replicas = inputs.powerState === "Hibernating" ? 0 : layout.replicas;
  const image = (name: string, tag: string) => `${p.imageRepository}/${name}:${tag}`;
  const k8sTag = `v${inputs.version}`;
  const meta = (name: string, annotations: Record<string, string> = SKIP_AWAIT) => ({
    name,
    namespace,
    labels: { ...labels, "app.kubernetes.io/name": name },
    annotations,
  });
  const selector = (name: string) => ({
    "app.kubernetes.io/name": name,
    "slipway.dev/cluster-uid": inputs.clusterUID,
  });

  const etcdMembers = Array.from({ length: layout.replicas }, (_, i) => `etcd-${i}`);
  const peerUrl = (member: string) => `http://${member}.etcd.${namespace}.svc:${ETCD_PEER_PORT}`;
  const etcdServers = etcdMembers.map((m) => `http://${m}.etcd.${namespace}.svc:${ETCD_CLIENT_PORT}`);

  const etcdService: Service = {
    metadata: meta("etcd"),
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: selector("etcd"),
      ports: [
        { name: "client", port: ETCD_CLIENT_PORT },
        { name: "peer", port: ETCD_PEER_PORT },
      ],
    },
  };

  const etcd: StatefulSet = {
    metadata: meta("etcd"),
    spec: {
      serviceName: "etcd",
      replicas,
      podManagementPolicy: "Parallel",
      selector: { matchLabels: selector("etcd") },
      template: {
        metadata: { labels: { ...labels, ...selector("etcd") } },
        spec: {
          securityContext: podSecurity,
          containers: [
            {
              name: "etcd",
              image: image("etcd", p.etcdImageTag),
              command: ["etcd"],
              env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
              args: [
                "--name=$(POD_NAME)",
                "--data-dir=/var/lib/etcd/data",
                `--listen-client-urls=http://0.0.0.0:${ETCD_CLIENT_PORT}`,
                `--advertise-client-urls=http://$(POD_NAME).etcd.${namespace}.svc:${ETCD_CLIENT_PORT}`,
                `--listen-peer-urls=http://0.0.0.0:${ETCD_PEER_PORT}`,
                `--initial-advertise-peer-urls=http://$(POD_NAME).etcd.${namespace}.svc:${ETCD_PEER_PORT}`,
                `--initial-cluster=${etcdMembers.map((m) => `${m}=${peerUrl(m)}`).join(",")}`,
                "--initial-cluster-state=new",
                "--listen-metrics-urls=http://0.0.0.0:2381",
                "--quota-backend-bytes=2147483648",
              ],
              ports: [
                { name: "client", containerPort: ETCD_CLIENT_PORT },
                { name: "peer", containerPort: ETCD_PEER_PORT },
              ],
              readinessProbe: { httpGet: { path: "/readyz", port: 2381 }, periodSeconds: 5 },
              livenessProbe: {
                httpGet: { path: "/livez", port: 2381 },
                periodSeconds: 10,
                failureThreshold: 6,
              },
              resources: { requests: { cpu: "100m", memory: "256Mi" } },
              securityContext: containerSecurity,
              volumeMounts: [{ name: "data", mountPath: "/var/lib/etcd" }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: p.etcdStorage } } },
        },
      ],
    },
  };

  // etcd speaks plain HTTP inside the namespace: only the API server's pods (and its own peers) may reach it.
  const etcdPolicy: NetworkPolicy = {
    metadata: meta("etcd", {}),
    spec: {
      podSelector: { matchLabels: selector("etcd") },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: selector("kube-apiserver") } },
            { podSelector: { matchLabels: selector("etcd") } },
          ],
          ports: [{ port: ETCD_CLIENT_PORT }, { port: ETCD_PEER_PORT }],
        },
      ],
    },
  };

  const apiServerService: Service = {
    metadata: meta("kube-apiserver"),
    spec: {
      type: p.serviceType,
      selector: selector("kube-apiserver"),
      ports: [{ name: "https", port: API_SERVER_PORT, targetPort: API_SERVER_PORT }],
    },
  };

  const pki = (items: PkiFile[]): Volume => ({
    name: "pki",
    secret: { secretName: PKI_SECRET, defaultMode: 0o440, items: items.map((key) => ({ key, path: key })) },
  });
  const kubeconfigVolume = (secretName: string): Volume => ({
    name: "kubeconfig",
    secret: { secretName, defaultMode: 0o440 },
  });
  const httpsProbe = (path: string, port: number) => ({
    httpGet: { path, port, scheme: "HTTPS" },
    periodSeconds: 10,
    failureThreshold: 6,
  });
  const deployment = (name: string, container: Container, volumes: Volume[]): Deployment => ({
    metadata: meta(name),
    spec: {
      replicas,
      selector: { matchLabels: selector(name) },
      template: {
        metadata: { labels: { ...labels, ...selector(name) } },
        spec: {
          securityContext: podSecurity,
          automountServiceAccountToken: false,
          containers: [
            {
              ...container,
              name,
              image: image(name, k8sTag),
              command: [name],
              securityContext: containerSecurity,
            },
          ],
          volumes,
        },
      },
    },
  });

  const apiServer = deployment(
    "kube-apiserver",
    {
      name: "kube-apiserver",
      args: [
        `--etcd-servers=${etcdServers.join(",")}`,
        `--secure-port=${API_SERVER_PORT}`,
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--service-account-issuer=https://kubernetes.default.svc",
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
        `--service-cluster-ip-range=${inputs.serviceNetwork.map((n) => n.cidr).join(",")}`,
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NodeRestriction",
        // Cloud NodePools' kubelets join with a bootstrap token (src/provisioners/node-pool/join-token.ts).
        "--enable-bootstrap-token-auth=true",
        "--allow-privileged=true",
        "--profiling=false",
      ],
      ports: [{ name: "https", containerPort: API_SERVER_PORT }],
      readinessProbe: httpsProbe("/readyz", API_SERVER_PORT),
      livenessProbe: httpsProbe("/livez", API_SERVER_PORT),
      resources: { requests: { cpu: "250m", memory: "512Mi" } },
      volumeMounts: [{ name: "pki", mountPath: "/etc/kubernetes/pki", readOnly: true }],
    },
    [pki(["ca.crt", "apiserver.crt", "apiserver.key", "sa.key", "sa.pub"])],
  );

  const componentArgs = [
    "--kubeconfig=/etc/kubernetes/kubeconfig/kubeconfig",
    "--authentication-kubeconfig=/etc/kubernetes/kubeconfig/kubeconfig",
    "--authorization-kubeconfig=/etc/kubernetes/kubeconfig/kubeconfig",
    `--leader-elect=${layout.replicas > 1}`,
    "--profiling=false",
  ];
  const controllerManager = deployment(
    "kube-controller-manager",
    {
      name: "kube-controller-manager",
      args: [
        ...componentArgs,
        "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
        "--root-ca-file=/etc/kubernetes/pki/ca.crt",
        // Signs the kubelets' and OCM agents' CSRs.
        "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
        "--use-service-account-credentials=true",
        // The default controllers, and the one that removes expired bootstrap tokens.
        "--controllers=*,tokencleaner",
        `--cluster-cidr=${inputs.clusterNetwork.map((n) => n.cidr).join(",")}`,
        `--service-cluster-ip-range=${inputs.serviceNetwork.map((n) => n.cidr).join(",")}`,
      ],
      livenessProbe: httpsProbe("/healthz", 10257),
      resources: { requests: { cpu: "100m", memory: "256Mi" } },
      volumeMounts: [
        { name: "pki", mountPath: "/etc/kubernetes/pki", readOnly: true },
        { name: "kubeconfig", mountPath: "/etc/kubernetes/kubeconfig", readOnly: true },
      ],
    },
    [pki(["ca.crt", "ca.key", "sa.key"]), kubeconfigVolume(KUBECONFIG_SECRETS.controllerManager)],
  );

  const scheduler = deployment(
    "kube-scheduler",
    {
      name: "kube-scheduler",
      args: componentArgs,
      livenessProbe: httpsProbe("/healthz", 10259),
      resources: { requests: { cpu: "50m", memory: "128Mi" } },
      volumeMounts: [{ name: "kubeconfig", mountPath: "/etc/kubernetes/kubeconfig", readOnly: true }],
    },
    [kubeconfigVolume(KUBECONFIG_SECRETS.scheduler)],
  );

  return {
    namespace: { metadata: { name: namespace, labels } },
    etcdService,
    etcd,
    etcdPolicy,
    apiServerService,
    apiServer,
    controllerManager,
    scheduler,
  } satisfies ControlPlaneManifests;
}

const podSecurity = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  fsGroup: 65532,
  seccompProfile: { type: "RuntimeDefault" },
};

const containerSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

/** How many of the workloads' wanted replicas are ready, in words a condition can carry. */
export function podsReadiness(workloads: { name: string; wanted: number; ready: number }[]): {
  ready: boolean;
  message: string;
} {
  const waiting = workloads.filter((w) => w.ready < w.wanted);
  if (waiting.length === 0) return { ready: true, message: "every control plane pod is ready" };
  return {
    ready: false,
    message:
      "applied, waiting for pods: " +
      waiting.map((w) => `${w.name} ${w.ready}/${w.wanted} ready`).join(", ") +
      " (a management cluster with no schedulable nodes never runs them)",
  };
}
