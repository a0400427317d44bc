/**
 * The kubernetes platform's fields: spec.platform.kubernetes of a HostedCluster only (management-cluster mode, as
 * Kamaji runs it): the control plane runs as workloads on a management cluster. A ClusterDeployment or a NodePool
 * cannot name it; a hosted cluster's workers come from NodePools on another platform. Composed into the API by
 * src/api/platform.ts; stacks/hosted-kubernetes imports it.
 */
import { immutable, localObjectReference, names } from "../common.js";
import { fixedOnceCreated, presenceFixed, type PlatformOptions } from "../platform-fields.js";
import { s, type Infer } from "../schema.js";

/** The key of the credentials Secret that holds the management cluster's kubeconfig. */
export const MANAGEMENT_KUBECONFIG_KEY = "kubeconfig";

const IMAGE_REPOSITORY = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$";
const IMAGE_TAG = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";
const QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$";
/** The serving certificate and every kubeconfig already handed out name the endpoint host. */
const ENDPOINT_HINT =
  "the API server's certificate and every kubeconfig handed out name it; point a new DNS name at the old one " +
  "(a CNAME), or create a new HostedCluster with the new host";

export const kubernetesHostedClusterPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      credentialsRef: localObjectReference(
        `Secret in the HostedCluster's namespace whose key '${MANAGEMENT_KUBECONFIG_KEY}' is the management ` +
          "cluster's kubeconfig. Slipway reads it when a job runs and hands it to Pulumi as a secret; a missing " +
          "Secret shows as the CredentialsSecretMissing reason on the Stalled condition.",
      ).required(),
      namespace: s.string({
        description:
          "Namespace on the management cluster that holds the control plane, created and deleted with it. " +
          "Default: hcp-<the hosted cluster's name>.",
        pattern: names.dnsLabel,
        minLength: 1,
        maxLength: 63,
        rules: opts.immutable ? [immutable("namespace", "create a new HostedCluster")] : [],
      }),
      imageRepository: s
        .string({
          description:
            "Registry and path of the control plane images (kube-apiserver, kube-controller-manager, " +
            "kube-scheduler, etcd), as kubeadm's imageRepository: a mirror the management cluster can pull from. " +
            "The Kubernetes images are tagged v<release.version>.",
          pattern: {
            regex: IMAGE_REPOSITORY,
            words:
              "an image registry host (with an optional :port) and path of lower-case letters, digits, '.', '-' " +
              "and '_', without a scheme or a tag (for example mirror.example.com/k8s)",
          },
          maxLength: 255,
        })
        .required(),
      etcdImageTag: s.string({
        description: "Tag of the etcd image in imageRepository.",
        pattern: {
          regex: IMAGE_TAG,
          words: "an image tag: letters, digits, '_', '.' and '-', at most 128 (for example 3.6.5-0)",
        },
        maxLength: 128,
        default: "3.6.5-0",
      }),
      etcdStorage: s.string({
        description:
          "Size of the etcd member's PersistentVolumeClaim (the management cluster's default StorageClass).",
        pattern: {
          regex: QUANTITY,
          words: "a storage quantity such as 1Gi or 512Mi",
        },
        maxLength: 32,
        default: "1Gi",
        rules: opts.immutable ? [immutable("etcdStorage", "create a new HostedCluster")] : [],
      }),
      serviceType: s.enum(["ClusterIP", "NodePort", "LoadBalancer"], {
        description:
          "Type of the kube-apiserver Service. ClusterIP reaches it only from inside the management cluster.",
        default: "ClusterIP",
      }),
      endpointHost: s.string({
        description:
          "The host name the admin kubeconfig uses for the API server (a DNS name pointing at the Service's " +
          "load balancer or node port, say); added to the serving certificate. Default: the Service's cluster " +
          "DNS name, kube-apiserver.<namespace>.svc.",
        pattern: names.dnsSubdomain,
        maxLength: 253,
        rules: fixedOnceCreated(opts, "endpointHost", ENDPOINT_HINT),
      }),
    },
    {
      description:
        "Management-cluster mode (Kamaji): the control plane as workloads on a management cluster, through the " +
        "Pulumi Kubernetes provider: a namespace, its certificates as Secrets, an etcd StatefulSet, the " +
        "kube-apiserver Deployment and Service, kube-controller-manager and kube-scheduler Deployments " +
        "(no konnectivity: worker nodes must reach the API server's endpoint). HostedCluster only.",
      rules: [
        ...presenceFixed(opts, ["namespace"], "create a new HostedCluster"),
        ...presenceFixed(opts, ["endpointHost"], ENDPOINT_HINT),
      ],
    },
  );

export type KubernetesHostedClusterPlatform = Infer<ReturnType<typeof kubernetesHostedClusterPlatform>>;
