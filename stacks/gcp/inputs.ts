import { ClusterDeploymentReason } from "../../src/api/reasons.js";
import type { Infer } from "../../src/api/schema.js";
import { TerminalStackError } from "../../src/errors/index.js";
import { prefixLength } from "../cloud/cidr.js";
import { cloudHostFields } from "../cloud/inputs.js";
import { clusterInputs, parseInputs } from "../cluster-inputs.js";
import { gcpPlatform } from "../../src/api/platforms/gcp.js";

/** The gcp program's inputs: spec.platform.gcp as the API stores it (defaults applied), and the cluster's uid. */
export const gcpInputs = clusterInputs(gcpPlatform({ immutable: false }), cloudHostFields);
export type GCPClusterInputs = Infer<typeof gcpInputs>;

/** The schema, then ranges GKE can use: the pods' range at least a /21, the others at least a /28. */
export function validateGCPInputs(raw: unknown): GCPClusterInputs {
  const inputs = parseInputs("gcp", gcpInputs, raw);
  const p = inputs.platform;
  const tooSmall = (
    [
      ["subnetCIDR", p.subnetCIDR, 28],
      ["podsCIDR", p.podsCIDR, 21],
      ["servicesCIDR", p.servicesCIDR, 28],
    ] as const
  ).filter(([, cidr, longest]) => prefixLength(cidr) > longest);
  if (tooSmall.length > 0) {
    throw new TerminalStackError(
      ClusterDeploymentReason.InvalidInputs,
      `gcp platform: ${tooSmall.map(([field, cidr, longest]) => `${field} ${cidr} is smaller than a /${longest}`).join("; ")}`,
    );
  }
  return inputs;
}
