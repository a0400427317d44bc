import { describe, expect, it } from "vitest";
import { platforms } from "../../../stacks/index.js";

// What a platform promises when it says its NodePools are the provider's node group: a NodePool program, the
// credentials and plugins it runs with, and a HostedCluster platform whose API such machines can join.
const cloudPools = platforms.filter((p) => p.nodePoolNodes === "provider-node-group");

describe("NodePools as the provider's node group", () => {
  it("are aws, azure and gcp, joining management-mode HostedClusters only", () => {
    expect(cloudPools.map((p) => p.name).sort()).toEqual(["aws", "azure", "gcp"]);
    expect(platforms.filter((p) => p.hostsProviderNodePools).map((p) => p.name)).toEqual(["kubernetes"]);
  });

  it.each(cloudPools.map((p) => [p.name, p] as const))(
    "%s has a NodePool program, credentials keys and a provider plugin",
    (_name, p) => {
      expect(p.programs.NodePool).toBeDefined();
      expect(p.credentials?.keys.length).toBeGreaterThan(0);
      expect(p.plugins?.length).toBeGreaterThan(0);
      expect(
        p.programs.NodePool!.hostInputs?.({ stackName: "s", uid: "u-1", stateDir: "", toolsBinDir: "" }),
      ).toEqual({ poolUID: "u-1" });
    },
  );

  it("no platform has a NodePool program without saying what its pools' nodes are", () => {
    for (const p of platforms) if (p.programs.NodePool) expect(p.nodePoolNodes).toBe("provider-node-group");
  });
});
