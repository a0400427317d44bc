import * as pulumi from "@pulumi/pulumi";
import { Network } from "@pulumi/gcp/compute/network.js";
import { Subnetwork } from "@pulumi/gcp/compute/subnetwork.js";
import { Cluster } from "@pulumi/gcp/container/cluster.js";
import { NodePool } from "@pulumi/gcp/container/nodePool.js";
import { getClientConfigOutput } from "@pulumi/gcp/organizations/getClientConfig.js";
import { Provider } from "@pulumi/gcp/provider.js";
import { infraIDFor } from "../cloud/inputs.js";
import { kubeconfigOutput } from "../cloud/kubeconfig.js";
import { observedPoolsOutputs, poolSize, type PoolSize } from "../cloud/pool-sizing.js";
import { clusterLabels } from "../cloud/tags.js";
import { ClusterComponent } from "../cluster-component.js";
import { requireCredentials } from "../credentials.js";
import type { GCPClusterInputs } from "./inputs.js";
import type { GCPNodePool } from "../../src/api/platforms/gcp.js";

/** The key of the credentials Secret: a service account key, as Hive's GCP Secret holds it. */
export const GCP_CREDENTIALS_KEY = "osServiceAccount.json";

const TAINT_EFFECTS = {
  NoSchedule: "NO_SCHEDULE",
  PreferNoSchedule: "PREFER_NO_SCHEDULE",
  NoExecute: "NO_EXECUTE",
} as const;

/**
 * A regional GKE cluster, VPC-native in a subnetwork of its own (secondary ranges for pods and Services), with its
 * default node pool removed and one node pool per spec pool; the cluster and its nodes labelled with the infraID
 * and the ClusterDeployment's uid. The kubeconfig carries an OAuth access token of the service account, minted by
 * the provider at each run. Hibernation resizes every node pool to zero with its autoscaler off.
 */
export class GCPCluster extends ClusterComponent {
  constructor(name: string, inputs: GCPClusterInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:gcp:Cluster", name, {}, opts);
    const p = inputs.platform;
    const { infraID, labels } = gcpIdentity(inputs);
    const network =
      p.network ??
      new Network(`${name}-network`, { name: infraID, autoCreateSubnetworks: false }, { parent: this }).id;
    const subnetwork = new Subnetwork(
      `${name}-nodes`,
      {
        name: infraID,
        region: p.region,
        network,
        ipCidrRange: p.subnetCIDR,
        privateIpGoogleAccess: true,
        secondaryIpRanges: [
          { rangeName: "pods", ipCidrRange: p.podsCIDR },
          { rangeName: "services", ipCidrRange: p.servicesCIDR },
        ],
      },
      { parent: this },
    );
    const cluster = new Cluster(
      `${name}-gke`,
      {
        name: infraID,
        location: p.region,
        minMasterVersion: p.version,
        releaseChannel: { channel: "REGULAR" },
        network,
        subnetwork: subnetwork.id,
        ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
        // GKE wants a pool at creation; the spec's pools replace it.
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        resourceLabels: labels,
        // Deleting the ClusterDeployment deletes the cluster: Slipway's finalizer is the protection.
        deletionProtection: false,
      },
      { parent: this },
    );
    const pools = p.nodePools.map((pool) => this.nodePool(name, pool, inputs, cluster, labels));
    // Minted last, once the pools are done, so the token is fresh when the run ends.
    const token = getClientConfigOutput({ parent: this, dependsOn: pools.map((p) => p.pool) }).accessToken;
    const apiURL = pulumi.interpolate`https://${cluster.endpoint}`;
    const caData = cluster.masterAuth.apply((auth) => auth.clusterCaCertificate ?? "");
    this.exposeOutputs({
      apiURL,
      caData,
      kubeconfig: kubeconfigOutput(infraID, apiURL, caData, token),
      infraID: pulumi.output(infraID),
      // After a refresh: what the pools have now, so a resize outside Slipway is noticed.
      ...observedPoolsOutputs(
        inputs.powerState,
        pools.map(({ pool, planned }, i) => ({
          name: p.nodePools[i]!.name,
          planned,
          actual: pool.nodeCount,
        })),
      ),
    });
  }

  private nodePool(
    name: string,
    pool: GCPNodePool,
    inputs: GCPClusterInputs,
    cluster: Cluster,
    labels: Record<string, string>,
  ): { pool: NodePool; planned: PoolSize } {
    const size = poolSize(pool, inputs.powerState);
    const created = new NodePool(
      `${name}-${pool.name}`,
      {
        name: pool.name,
        cluster: cluster.id,
        location: inputs.platform.region,
        nodeCount: size.desired,
        autoscaling: size.autoscaling ? { minNodeCount: size.min, maxNodeCount: size.max } : undefined,
        management: { autoRepair: true, autoUpgrade: true },
        nodeConfig: {
          machineType: pool.machineType,
          diskSizeGb: pool.diskSizeGiB,
          labels: pool.labels ?? {},
          taints: (pool.taints ?? []).map((t) => ({
            key: t.key,
            value: t.value ?? "",
            effect: TAINT_EFFECTS[t.effect],
          })),
          resourceLabels: labels,
          oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        },
      },
      { parent: this },
    );
    return { pool: created, planned: size };
  }
}

function gcpIdentity(inputs: GCPClusterInputs): { infraID: string; labels: Record<string, string> } {
  const infraID = infraIDFor(inputs.clusterName, inputs.clusterUID);
  const identity = { clusterName: inputs.clusterName, infraID, clusterUID: inputs.clusterUID };
  return { infraID, labels: clusterLabels(identity, inputs.platform.labels) };
}

/**
 * The provider every resource uses: the service account key (a secret), the project (the spec's, else the key's:
 * a project ID is not secret) and default labels.
 */
export function gcpProvider(
  name: string,
  where: { region: string; projectID?: string },
  labels: Record<string, string>,
): Provider {
  const credentials = requireCredentials().apply((c) => c[GCP_CREDENTIALS_KEY] ?? "");
  const keyProject = pulumi.unsecret(
    credentials.apply((key) => {
      try {
        return (JSON.parse(key) as { project_id?: string }).project_id ?? "";
      } catch {
        // Never the parser's message: it quotes the key.
        throw new Error(`the credentials Secret's ${GCP_CREDENTIALS_KEY} is not a JSON service account key`);
      }
    }),
  );
  return new Provider(`${name}-gcp`, {
    credentials,
    project: where.projectID ?? keyProject,
    region: where.region,
    defaultLabels: labels,
  });
}

/** The `gcp` platform's ClusterDeployment program. */
export function program(inputs: GCPClusterInputs) {
  return async () => {
    const provider = gcpProvider(inputs.clusterName, inputs.platform, gcpIdentity(inputs).labels);
    return new GCPCluster(inputs.clusterName, inputs, { providers: [provider] }).outputs();
  };
}
