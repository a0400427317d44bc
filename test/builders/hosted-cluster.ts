import type { HostedClusterSpecInput } from "../../src/api/index.js";

/**
 * A HostedCluster manifest on `local` (or another platform), registration off unless the test asks for it. The
 * release version is the one tools/build.sh builds.
 */
export function hostedClusterManifest(
  name: string,
  spec: Partial<HostedClusterSpecInput> = {},
): { apiVersion: string; kind: string; metadata: { name: string }; spec: HostedClusterSpecInput } {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "HostedCluster",
    metadata: { name },
    spec: {
      release: { version: "1.36" },
      platform: { local: {} },
      registration: { enabled: false },
      ...spec,
    } as HostedClusterSpecInput,
  };
}
