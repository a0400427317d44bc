import type { PlatformDefinition, StackProgram } from "../platform.js";
import { program } from "./cluster.js";
import { validateAWSInputs, type AWSClusterInputs } from "./inputs.js";
import { awsPlatform } from "./schema.js";

const clusterDeployment: StackProgram<AWSClusterInputs> = {
  validate: validateAWSInputs,
  program,
  describe: (inputs) => ({
    platform: "aws",
    summary: `aws cluster ${inputs.clusterName} (${inputs.powerState}) in ${inputs.platform.region}`,
    // The stack and the cluster component.
    expectedResources: 2,
    secretOutputs: [],
    // A repeated create could orphan cloud resources.
    idempotentCreate: false,
  }),
};

/** EKS with managed node groups: schema, defaults, credentials and an empty program, for the clouds issue to fill. */
export const aws: PlatformDefinition = {
  name: "aws",
  implemented: false,
  schema: awsPlatform,
  // The keys of Hive's AWS credentials Secret.
  credentials: { keys: ["aws_access_key_id", "aws_secret_access_key"] },
  programs: { ClusterDeployment: clusterDeployment },
};
