import type { Infer } from "../../src/api/schema.js";
import { clusterInputs, parseInputs } from "../cluster-inputs.js";
import { awsPlatform } from "./schema.js";

/** The aws program's inputs: spec.platform.aws as the API stores it (defaults applied), nothing from the host. */
export const awsInputs = clusterInputs(awsPlatform({ immutable: false }), {});
export type AWSClusterInputs = Infer<typeof awsInputs>;

export function validateAWSInputs(raw: unknown): AWSClusterInputs {
  return parseInputs("aws", awsInputs, raw);
}
