import { ClusterDeploymentReason } from "../../src/api/reasons.js";
import type { Infer } from "../../src/api/schema.js";
import { TerminalStackError } from "../../src/errors/index.js";
import { prefixLength } from "../cloud/cidr.js";
import { cloudHostFields } from "../cloud/inputs.js";
import { clusterInputs, parseInputs } from "../cluster-inputs.js";
import { awsPlatform } from "../../src/api/platforms/aws.js";

/** The aws program's inputs: spec.platform.aws as the API stores it (defaults applied), and the cluster's uid. */
export const awsInputs = clusterInputs(awsPlatform({ immutable: false }), cloudHostFields);
export type AWSClusterInputs = Infer<typeof awsInputs>;

/** The zones a cluster's subnets span when the spec names none. */
export function availabilityZones(inputs: AWSClusterInputs): string[] {
  const p = inputs.platform;
  return p.availabilityZones ?? ["a", "b", "c"].map((letter) => `${p.region}${letter}`);
}

/** The schema, then what its CEL rules say and this program needs: zones in the region, a VPC it can cut up. */
export function validateAWSInputs(raw: unknown): AWSClusterInputs {
  const inputs = parseInputs("aws", awsInputs, raw);
  const p = inputs.platform;
  const invalid = (message: string) =>
    new TerminalStackError(ClusterDeploymentReason.InvalidInputs, `aws platform: ${message}`);
  const outside = availabilityZones(inputs).filter((zone) => !zone.startsWith(p.region));
  if (outside.length > 0)
    throw invalid(`availabilityZones ${outside.join(", ")} are not in region ${p.region}`);
  const prefix = prefixLength(p.vpcCIDR);
  if (prefix < 16 || prefix > 24)
    throw invalid(
      `vpcCIDR ${p.vpcCIDR} is a /${prefix}: give a /16 to a /24 (EKS subnets need room for pods)`,
    );
  return inputs;
}
