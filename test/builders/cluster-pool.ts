import type { ClusterPoolSpecInput } from "../../src/api/index.js";

/**
 * A ClusterPool manifest of simulated clusters; tests state only the fields that matter to them. Its clusters are
 * not registered with the hub unless the template says `registration` (see RegistrationChoice).
 */
export function clusterPool(name: string, namespace: string, spec: Partial<ClusterPoolSpecInput> = {}) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterPool",
    metadata: { name, namespace },
    spec: {
      size: 1,
      runningCount: 0,
      ...spec,
      template: {
        registration: { enabled: false },
        ...(spec.template ?? { platform: { simulated: { version: "1.36" } } }),
      },
    },
  };
}
