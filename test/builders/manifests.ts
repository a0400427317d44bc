/**
 * Minimal valid manifests of each kind, typed with the API's input types, for admission tests to break one
 * field at a time.
 */
import {
  API_VERSION,
  type BootstrapPolicySpecInput,
  type ClusterClaimSpecInput,
  type ClusterFailoverSpecInput,
  type ClusterDeploymentSpecInput,
  type ClusterPoolSpecInput,
  type HostedClusterSpecInput,
  type Kind,
  type NodePoolSpecInput,
} from "../../src/api/index.js";

export interface Manifest {
  apiVersion: string;
  kind: Kind;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

function manifest(kind: Kind, name: string, spec: object): Manifest {
  return { apiVersion: API_VERSION, kind, metadata: { name }, spec: spec as Record<string, unknown> };
}

export const awsSpec = (): ClusterDeploymentSpecInput => ({
  clusterName: "payments",
  platform: { aws: { region: "eu-west-1", version: "1.33", credentialsRef: { name: "aws-credentials" } } },
});

export const clusterDeployment = (name = "cd", spec: ClusterDeploymentSpecInput = awsSpec()) =>
  manifest("ClusterDeployment", name, spec);

export const clusterPool = (
  name = "pool",
  spec: ClusterPoolSpecInput = { size: 2, runningCount: 1, template: { platform: { local: {} } } },
) => manifest("ClusterPool", name, spec);

export const clusterClaim = (
  name = "claim",
  spec: ClusterClaimSpecInput = { clusterPoolName: "pool", lifetime: "4h" },
) => manifest("ClusterClaim", name, spec);

export const hostedCluster = (
  name = "hc",
  spec: HostedClusterSpecInput = {
    release: { version: "1.35" },
    platform: { simulated: { region: "eu-1" } },
  },
) => manifest("HostedCluster", name, spec);

export const nodePool = (
  name = "np",
  spec: NodePoolSpecInput = { clusterName: "hc", replicas: 2, platform: { simulated: {} } },
) => manifest("NodePool", name, spec);

export const bootstrapPolicy = (
  name = "bp",
  spec: BootstrapPolicySpecInput = {
    clusterSelector: { matchLabels: { env: "dev" } },
    objectTemplates: [
      { objectDefinition: { apiVersion: "v1", kind: "Namespace", metadata: { name: "baseline" } } },
    ],
  },
) => manifest("BootstrapPolicy", name, spec);

export const clusterFailover = (
  name = "failover",
  spec: ClusterFailoverSpecInput = { standby: { poolName: "standby" } },
) => manifest("ClusterFailover", name, spec);

/**
 * A deep copy of the manifest with fields set by dotted path ("spec.platform.aws.region", "spec.nodePools.0");
 * `undefined` removes the field. Tests break the copy, never a shared base.
 */
export function withFields(m: Manifest, fields: Record<string, unknown>): Manifest {
  const copy = structuredClone(m);
  for (const [path, value] of Object.entries(fields)) {
    const keys = path.split(".");
    const last = keys.pop()!;
    let node = copy as unknown as Record<string, unknown>;
    for (const key of keys) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return copy;
}
