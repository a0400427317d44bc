import { describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import {
  desiredStack,
  InvalidSpecError,
  platformFor,
  platformName,
} from "../../../src/provisioners/cluster-deployment/platform.js";

const ctx = { stateDir: "/var/lib/slipway", toolsBinDir: "/opt/slipway/bin" };

function cd(platform: Record<string, unknown>, extra: Record<string, unknown> = {}): ClusterDeployment {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name: "c1", namespace: "team-a", uid: "0a1b2c3d-4e5f", generation: 1 },
    spec: { clusterName: "c1", platform, ...extra },
  } as unknown as ClusterDeployment;
}

describe("ClusterDeployment platform adapter", () => {
  it("vsphere is implemented: its adapter names the credentials Secret, and certificatesRef's ca.crt comes along", () => {
    const onVSphere = cd({ vsphere: { vCenter: "vc", credentialsRef: { name: "vsphere-creds" } } });
    expect(platformName(onVSphere)).toBe("vsphere");
    const adapter = platformFor(onVSphere)!;
    expect(adapter.credentialsSecretName(onVSphere)).toBe("vsphere-creds");
    expect(adapter.missingCredentialKeys({ data: { username: "dQ==" } })).toEqual(["password"]);
    expect(adapter.definition.credentials?.alsoFrom).toEqual([
      { field: "certificatesRef", keys: ["ca.crt"] },
    ]);
  });

  it("gives a cloud program the ClusterDeployment's uid, which its resources are tagged with", () => {
    const onAWS = cd({ aws: { region: "eu-west-1", credentialsRef: { name: "aws-creds" } } });
    const adapter = platformFor(onAWS)!;
    expect(adapter.credentialsSecretName(onAWS)).toBe("aws-creds");
    expect(desiredStack(adapter, onAWS, ctx).inputs).toEqual({
      clusterName: "c1",
      powerState: "Running",
      platform: { region: "eu-west-1", credentialsRef: { name: "aws-creds" } },
      clusterUID: "0a1b2c3d-4e5f",
    });
    expect(() => adapter.validate(onAWS, ctx)).not.toThrow();
  });

  it("gives the program the spec's platform block, and names its credentials Secret", () => {
    const sim = cd(
      { simulated: { provisionSeconds: 0, credentialsRef: { name: "sim-creds" } } },
      { powerState: "Hibernating" },
    );
    const adapter = platformFor(sim)!;
    expect(adapter.name).toBe("simulated");
    expect(adapter.credentialsSecretName(sim)).toBe("sim-creds");
    expect(adapter.credentialsSecretName(cd({ simulated: {} }))).toBeUndefined();
    const desired = desiredStack(adapter, sim, ctx);
    expect(desired.stackName).toBe("team-a-c1-0a1b2c3d");
    expect(desired.inputs).toEqual({
      clusterName: "c1",
      powerState: "Hibernating",
      platform: { provisionSeconds: 0, credentialsRef: { name: "sim-creds" } },
    });
    expect(desired.inputsHash).toMatch(/^[0-9a-f]{32}$/);
    expect(() => adapter.validate(sim, ctx)).not.toThrow();
  });

  it("reports what the program's validation refuses as an InvalidSpecError with its reason", () => {
    const sim = cd({ simulated: { jitterPercent: 300 } });
    const error = (() => {
      try {
        platformFor(sim)!.validate(sim, ctx);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidSpecError);
    expect(error).toMatchObject({ reason: "InvalidInputs" });
    expect((error as Error).message).toContain("inputs.platform.jitterPercent");
  });

  it("adds the host's folders to the local platform's inputs", () => {
    const local = cd({ local: { controllerManager: false } });
    const desired = desiredStack(platformFor(local)!, local, ctx);
    expect(desired.inputs).toMatchObject({
      dataDir: "/var/lib/slipway/clusters/team-a-c1-0a1b2c3d",
      binDir: "/opt/slipway/bin",
    });
  });
});
