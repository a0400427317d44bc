import { ClusterDeploymentReason } from "../src/api/reasons.js";
import { dnsLabel } from "../src/api/common.js";
import { s, type AnySchema, type Infer, type Presence, type Schema, type Shape } from "../src/api/schema.js";
import { parse } from "../src/api/validate.js";
import { SchemaValidationError, TerminalStackError } from "../src/errors/index.js";

/**
 * The inputs of every platform's ClusterDeployment program: the cluster's name and desired power state, the
 * spec.platform.<name> block as the API stores it, the job's attempt number, and what the host adds.
 */
export function clusterInputs<Out, In, H extends Shape>(platform: Schema<Out, In, Presence>, host: H) {
  return s.object({
    clusterName: dnsLabel("Name of the cluster on its platform.").required(),
    powerState: s
      .enum(["Running", "Hibernating"] as const, { description: "Desired power state." })
      .required(),
    platform: platform.required(),
    attempt: s.integer({
      description:
        "The job's attempt number (1 for the first). Not desired state: a different attempt alone never causes " +
        "an update; the simulated platform's injected failures count against it.",
      minimum: 1,
      default: 1,
    }),
    ...host,
  });
}

/** An absolute path on the host running the stack. */
export const absolutePath = (description: string) =>
  s.string({ description, pattern: "^/", minLength: 2 }).required();

/** Defaults and checks inputs against their schema; a bad field is terminal (InvalidInputs), named with its path. */
export function parseInputs<S extends AnySchema>(platform: string, schema: S, raw: unknown): Infer<S> {
  try {
    return parse(schema, raw, "inputs");
  } catch (error) {
    if (!(error instanceof SchemaValidationError)) throw error;
    throw new TerminalStackError(
      ClusterDeploymentReason.InvalidInputs,
      `${platform} platform: ${error.message}`,
    );
  }
}
