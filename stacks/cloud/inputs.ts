import { s } from "../../src/api/schema.js";
import type { StackContext } from "../platform.js";

/**
 * What the host adds to a cloud program's inputs: the ClusterDeployment's uid, which every cloud resource carries
 * and the infraID is derived from. Never secret (inputs are hashed and recorded in the state).
 */
export const cloudHostFields = {
  clusterUID: s
    .string({
      description: "metadata.uid of the ClusterDeployment: tagged on every cloud resource.",
      pattern: "^[-0-9a-z]{1,64}$",
    })
    .required(),
};

export function cloudHostInputs(ctx: StackContext): { clusterUID: string } {
  return { clusterUID: ctx.uid };
}

/** How long an infraID's name part may be, so names built from it (infraID-workers-ng) fit the clouds' limits. */
const INFRA_NAME_LENGTH = 20;

/**
 * The cluster's infraID (Hive's): its name, shortened, and five characters of its uid. Stable for the cluster's
 * lifetime and unique across re-creations of the same name, so it names and tags every cloud resource; derived
 * rather than random so that every run of the program (and a re-run after a lost workspace) agrees on it.
 */
export function infraIDFor(clusterName: string, clusterUID: string): string {
  const name = clusterName.slice(0, INFRA_NAME_LENGTH).replace(/-+$/, "");
  return `${name}-${clusterUID.replace(/-/g, "").slice(0, 5)}`;
}
