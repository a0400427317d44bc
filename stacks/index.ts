import { ClusterDeploymentReason } from "../src/api/reasons.js";
import { TerminalStackError } from "../src/errors/index.js";
import { aws } from "./aws/definition.js";
import { azure } from "./azure/definition.js";
import { gcp } from "./gcp/definition.js";
import { local } from "./local/definition.js";
import type { PlatformDefinition, StackKind, StackProgram } from "./platform.js";
import { simulated } from "./simulated/definition.js";

export type {
  PlatformCredentials,
  PlatformDefinition,
  StackContext,
  StackDescription,
  StackKind,
  StackProgram,
} from "./platform.js";
export type { ClusterStackOutputs, DesiredPowerState, ObservedPowerState } from "./types.js";
export type { LocalClusterInputs } from "./local/inputs.js";
export type { SimulatedClusterInputs } from "./simulated/inputs.js";
export { CREDENTIALS_CONFIG_KEY } from "./credentials.js";

/** Every platform with a folder here. Adding a platform: its folder (see README.md) and one line in this list. */
export const platforms: readonly PlatformDefinition[] = [local, simulated, aws, azure, gcp];

/** The platform of that name, implemented or not; undefined when no folder defines it. */
export function platformDefinition(name: string): PlatformDefinition | undefined {
  return platforms.find((p) => p.name === name);
}

/** The program a (kind, platform) pair runs; terminal when this build has none. */
export function stackProgramFor(kind: StackKind, platform: string): StackProgram<unknown> {
  const definition = platformDefinition(platform);
  const runnable = platforms.filter((p) => p.implemented && p.programs[kind]).map((p) => p.name);
  const found = definition?.implemented ? definition.programs[kind] : undefined;
  if (!found) {
    throw new TerminalStackError(
      definition ? ClusterDeploymentReason.UnsupportedPlatform : ClusterDeploymentReason.UnknownPlatform,
      `no ${kind} program for platform "${platform}" in this build; runnable: ${runnable.join(", ")}`,
    );
  }
  return found as StackProgram<unknown>;
}
