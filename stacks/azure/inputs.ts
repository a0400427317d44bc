import { ClusterDeploymentReason } from "../../src/api/reasons.js";
import type { Infer } from "../../src/api/schema.js";
import { TerminalStackError } from "../../src/errors/index.js";
import { cidrContains } from "../cloud/cidr.js";
import { cloudHostFields } from "../cloud/inputs.js";
import { clusterInputs, parseInputs } from "../cluster-inputs.js";
import { azurePlatform } from "../../src/api/platforms/azure.js";

/** The azure program's inputs: spec.platform.azure as the API stores it (defaults applied), and the cluster's uid. */
export const azureInputs = clusterInputs(azurePlatform({ immutable: false }), cloudHostFields);
export type AzureClusterInputs = Infer<typeof azureInputs>;

/** The schema, then what its CEL rule says and AKS needs: a system pool with a node, the subnet in the network. */
export function validateAzureInputs(raw: unknown): AzureClusterInputs {
  const inputs = parseInputs("azure", azureInputs, raw);
  const p = inputs.platform;
  const invalid = (message: string) =>
    new TerminalStackError(ClusterDeploymentReason.InvalidInputs, `azure platform: ${message}`);
  const system = p.nodePools[0]!;
  if (system.replicas < 1 || (system.autoScaling && system.autoScaling.min < 1))
    throw invalid(`node pool ${system.name} is AKS's system pool (the first) and needs at least one node`);
  if (!cidrContains(p.vnetCIDR, p.subnetCIDR))
    throw invalid(`subnetCIDR ${p.subnetCIDR} is not inside vnetCIDR ${p.vnetCIDR}`);
  return inputs;
}
