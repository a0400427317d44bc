import type { ClusterPoolSpecInput } from "../../src/api/index.js";

/** A ClusterPool manifest of simulated clusters; tests state only the fields that matter to them. */
export function clusterPool(name: string, namespace: string, spec: Partial<ClusterPoolSpecInput> = {}) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterPool",
    metadata: { name, namespace },
    spec: {
      size: 1,
      runningCount: 0,
      template: { platform: { simulated: { version: "1.36" } } },
      ...spec,
    },
  };
}
