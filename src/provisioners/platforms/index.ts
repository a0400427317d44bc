import type { ClusterDeployment } from "../../api/index.js";
import { localPlatform } from "./local.js";
import type { PlatformAdapter, PlatformContext } from "./platform.js";
import { stackInputsHash, stackNameFor } from "../../queue/stack-job.js";
import { simulatedPlatform } from "./simulated.js";

export { InvalidSpecError, type PlatformAdapter, type PlatformContext } from "./platform.js";

/** Platforms whose stacks this build can run. Cloud programs (aws, azure, gcp, vsphere) are not wired yet. */
const adapters: PlatformAdapter[] = [localPlatform, simulatedPlatform];

export function platformFor(cd: ClusterDeployment): PlatformAdapter | undefined {
  return adapters.find((a) => a.canHandle(cd));
}

/** The stack a resource runs and the program inputs its spec asks for now; the worker and the controller agree. */
export function desiredStack(
  adapter: PlatformAdapter,
  cd: ClusterDeployment,
  ctx: Omit<PlatformContext, "stackName">,
): { stackName: string; inputs: Record<string, unknown>; inputsHash: string } {
  const stackName = stackNameFor({
    namespace: cd.metadata!.namespace!,
    name: cd.metadata!.name!,
    uid: cd.metadata!.uid!,
  });
  const inputs = adapter.stackInputs(cd, { ...ctx, stackName });
  return { stackName, inputs, inputsHash: stackInputsHash(inputs) };
}

export function platformName(cd: ClusterDeployment): string {
  return Object.keys(cd.spec.platform ?? {})[0] ?? "unknown";
}
