import { kubernetesHostedClusterPlatform } from "../../src/api/platforms/kubernetes.js";
import { HostedClusterReason } from "../../src/api/reasons.js";
import type { Infer } from "../../src/api/schema.js";
import { TerminalStackError } from "../../src/errors/index.js";
import { cloudHostFields } from "../cloud/inputs.js";
import { parseInputs } from "../cluster-inputs.js";
import { hostedClusterInputs } from "../hosted-cluster-inputs.js";

/**
 * The management-mode HostedCluster program's inputs: what every HostedCluster program receives, with
 * spec.platform.kubernetes as the API stores it, and the HostedCluster's uid (from the host, as the clouds'), which
 * labels every object and makes the infraID.
 */
export const hostedKubernetesInputs = hostedClusterInputs(
  kubernetesHostedClusterPlatform({ immutable: false }),
  cloudHostFields,
);

export type HostedKubernetesInputs = Infer<typeof hostedKubernetesInputs>;

/** The schema, then what the images need: a full version (the images are tagged v<major.minor.patch>). */
export function validateHostedKubernetesInputs(raw: unknown): HostedKubernetesInputs {
  const inputs = parseInputs("kubernetes", hostedKubernetesInputs, raw);
  if (!/^\d+\.\d+\.\d+/.test(inputs.version)) {
    throw new TerminalStackError(
      HostedClusterReason.InvalidInputs,
      `kubernetes platform: release.version ${inputs.version} has no patch number; the control plane images ` +
        `are tagged v<major.minor.patch>, so set it in full (for example ${inputs.version}.0)`,
    );
  }
  return inputs;
}
