import type { ClusterClaimSpecInput } from "../../src/api/index.js";

/** A ClusterClaim manifest against `pool`. */
export function clusterClaim(
  name: string,
  namespace: string,
  pool: string,
  spec: Partial<ClusterClaimSpecInput> = {},
) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterClaim",
    metadata: { name, namespace },
    spec: { clusterPoolName: pool, ...spec },
  };
}
