import { kubernetesVersion } from "../src/api/common.js";
import { s, type Presence, type Schema, type Shape } from "../src/api/schema.js";
import { clusterInputs } from "./cluster-inputs.js";

const cidrs = (description: string, fallback: string) =>
  s.array(s.object({ cidr: s.string({ description, format: "cidr", maxLength: 43 }).required() }), {
    description,
    minItems: 1,
    maxItems: 2,
    default: [{ cidr: fallback }],
  });

/**
 * What every platform's HostedCluster program receives (the HostedCluster controller builds it once, whatever the
 * platform): the cluster's name and desired power state, spec.platform.<name>, the release version, the networks
 * and the availability policy, plus what the host adds. The same fields as the management-mode program's.
 */
export function hostedClusterInputs<Out, In, H extends Shape>(platform: Schema<Out, In, Presence>, host: H) {
  return clusterInputs(platform, {
    version: kubernetesVersion("spec.release.version: the Kubernetes version of the control plane.", {
      upgradeRules: false,
    }).required(),
    serviceNetwork: cidrs(
      "spec.networking.serviceNetwork: the hosted cluster's Service CIDRs.",
      "172.31.0.0/16",
    ),
    clusterNetwork: cidrs("spec.networking.clusterNetwork: the hosted cluster's pod CIDRs.", "10.132.0.0/14"),
    controllerAvailabilityPolicy: s.enum(["SingleReplica", "HighlyAvailable"], {
      description: "Replicas of each control plane component: 1 or 3.",
      default: "SingleReplica",
    }),
    ...host,
  });
}
