import { dnsLabel, kubernetesVersion, labels } from "../src/api/common.js";
import { taint } from "../src/api/platform-fields.js";
import { s, type Presence, type Schema, type Shape } from "../src/api/schema.js";

/**
 * What every platform's NodePool program receives (the NodePool controller builds it once, whatever the platform):
 * the pool and its HostedCluster, spec.platform.<name>, the nodes' version, labels and taints, the size Slipway
 * decided (spec.replicas, or its autoscaler's decision within autoScaling's bounds: the cloud's own autoscaler is
 * not used), the hosted API the machines join (its URL and CA, never secret), plus what the host adds. The join
 * token is not an input: it is secret, and reaches the program with the run's credentials (stacks/cloud/node-join.ts).
 */
export function nodePoolInputs<Out, In, H extends Shape>(platform: Schema<Out, In, Presence>, host: H) {
  return s.object({
    poolName: dnsLabel("metadata.name of the NodePool, as a DNS label.").required(),
    clusterName: dnsLabel("spec.clusterName: the HostedCluster the nodes join.").required(),
    powerState: s
      .enum(["Running", "Hibernating"] as const, {
        description: "The HostedCluster's desired power state: Hibernating scales the group to zero.",
      })
      .required(),
    platform: platform.required(),
    version: kubernetesVersion("Kubernetes version of the nodes (the kubelet the image carries).", {
      upgradeRules: false,
    }).required(),
    replicas: s
      .integer({ description: "Nodes Slipway wants now (spec.replicas or its autoscaler's).", minimum: 0 })
      .required(),
    autoScaling: s.object(
      {
        min: s.integer({ minimum: 0 }).required(),
        max: s.integer({ minimum: 1 }).required(),
      },
      { description: "spec.autoScaling's bounds: the group's min and max size." },
    ),
    nodeLabels: labels("spec.nodeLabels: --node-labels of every kubelet."),
    taints: s.array(taint, {
      description: "spec.taints: --register-with-taints of every kubelet.",
      maxItems: 32,
    }),
    apiServer: s
      .string({
        description: "URL of the hosted cluster's API server the machines join.",
        pattern: { regex: "^https://[^\\s]+$", words: "an https URL" },
        maxLength: 2048,
      })
      .required(),
    caData: s
      .string({
        description: "The hosted cluster's CA bundle, base64 (a kubeconfig's certificate-authority-data).",
        pattern: { regex: "^[A-Za-z0-9+/=]+$", words: "base64" },
        maxLength: 65536,
      })
      .required(),
    joinTokenID: s
      .string({
        description:
          "The id of the pool's bootstrap token (its public half, as kubeadm treats it): a new token is a new boot " +
          "config, so the group rolls to it. The secret half reaches the program with the run's credentials only.",
        pattern: { regex: "^[a-z0-9]{6}$", words: "six lower-case letters or digits" },
      })
      .required(),
    attempt: s.integer({ description: "The job's attempt number.", minimum: 1, default: 1 }),
    ...host,
  });
}

/** What the host adds to a cloud NodePool program's inputs: the NodePool's uid, tagged on every resource. */
export const nodePoolHostFields = {
  poolUID: s
    .string({
      description: "metadata.uid of the NodePool: tagged on every cloud resource.",
      pattern: "^[-0-9a-z]{1,64}$",
    })
    .required(),
};

export function nodePoolHostInputs(ctx: { uid: string }): { poolUID: string } {
  return { poolUID: ctx.uid };
}
