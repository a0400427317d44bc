/**
 * What registration and bootstrap policies ask a cluster's platform: how it joins the hub and how its API is
 * reached. The answers live in stacks/<platform>/definition.ts (the PlatformDefinition, found by name as Hive finds
 * an actuator); this folder implements each way once and never branches on a platform's name.
 */
import { platformOf, type ClusterObject } from "../api/index.js";
import { platformDefinition, type HubJoin, type PolicyAccess } from "../../stacks/index.js";

/** A platform this build has no definition for (vsphere today) joins as every cloud does. */
const KLUSTERLET: HubJoin = { method: "klusterlet" };
const ADMIN_KUBECONFIG: PolicyAccess = { via: "admin-kubeconfig" };

/** How a cluster on this platform joins the hub. */
export function hubJoinOf(platform: string | undefined): HubJoin {
  return platformDefinition(platform ?? "")?.hubJoin ?? KLUSTERLET;
}

/** How a ClusterDeployment's cluster joins the hub, as its platform answers. */
export function clusterHubJoin(cd: ClusterObject): HubJoin {
  return hubJoinOf(platformOf(cd.spec));
}

/** How Slipway reaches a ClusterDeployment's cluster to evaluate policies, as its platform answers. */
export function policyAccessOf(cd: ClusterObject): PolicyAccess {
  return platformDefinition(platformOf(cd.spec) ?? "")?.policyAccess ?? ADMIN_KUBECONFIG;
}
