import type { PlatformAdapter } from "./platform.js";

/** The simulated platform (stacks/simulated): no processes, per-phase delays; for scale and speed work. */
export const simulatedPlatform: PlatformAdapter = {
  name: "simulated",
  canHandle: (cd) => cd.spec.platform.simulated !== undefined,
  credentialsSecretName: (cd) => cd.spec.platform.simulated?.credentialsRef?.name,
  validate: () => undefined,
  stackInputs(cd) {
    const sim = cd.spec.platform.simulated;
    return {
      clusterName: cd.spec.clusterName,
      powerState: cd.spec.powerState ?? "Running",
      provisionSeconds: sim?.provisionSeconds ?? 0,
      hibernateSeconds: sim?.hibernateSeconds ?? 0,
      resumeSeconds: sim?.resumeSeconds ?? 0,
      destroySeconds: sim?.destroySeconds ?? 0,
      jitterPercent: sim?.jitterPercent ?? 0,
      kubernetesVersion: sim?.version,
      region: sim?.region,
      failures: sim?.failures,
    };
  },
};
