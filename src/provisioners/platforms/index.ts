import type { ClusterDeployment } from "../../api/index.js";
import { localPlatform } from "./local.js";
import type { PlatformAdapter } from "./platform.js";
import { simulatedPlatform } from "./simulated.js";

export { InvalidSpecError, type PlatformAdapter, type PlatformContext } from "./platform.js";

/** Platforms whose stacks this build can run. Cloud programs (aws, azure, gcp, vsphere) are not wired yet. */
const adapters: PlatformAdapter[] = [localPlatform, simulatedPlatform];

export function platformFor(cd: ClusterDeployment): PlatformAdapter | undefined {
  return adapters.find((a) => a.canHandle(cd));
}

export function platformName(cd: ClusterDeployment): string {
  return Object.keys(cd.spec.platform ?? {})[0] ?? "unknown";
}
