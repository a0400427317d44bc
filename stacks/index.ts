import { existsSync } from "node:fs";
import { join } from "node:path";
import { ClusterDeploymentReason } from "../src/api/reasons.js";
import { ProviderPluginMissingError, TerminalStackError } from "../src/errors/index.js";
import { aws } from "./aws/definition.js";
import { azure } from "./azure/definition.js";
import { gcp } from "./gcp/definition.js";
import { kubernetes } from "./hosted-kubernetes/definition.js";
import { local } from "./local/definition.js";
import type { PlatformDefinition, StackKind, StackProgram } from "./platform.js";
import {
  installBuiltPlugins,
  installedPlugins,
  missingPlugins,
  missingPluginsMessage,
  requiredPlugins,
  type ProviderPlugin,
} from "./provider-plugins.js";
import { simulated } from "./simulated/definition.js";
import { vsphere } from "./vsphere/definition.js";

export type {
  HubJoin,
  NodePoolNodes,
  PlatformCredentials,
  PlatformDataFolder,
  PlatformDefinition,
  PolicyAccess,
  SimulatedEvaluation,
  StackContext,
  StackDescription,
  StackKind,
  StackProgram,
} from "./platform.js";
export type { ClusterStackOutputs, DesiredPowerState, ObservedPowerState } from "./types.js";
export { localDataFolder, type LocalClusterInputs } from "./local/inputs.js";
export type { SimulatedClusterInputs } from "./simulated/inputs.js";
export { CREDENTIALS_CONFIG_KEY } from "./credentials.js";
export {
  installedPlugins,
  missingPluginsMessage,
  pluginRecheckDelayMs,
  pulumiHomeFor,
  requiredPlugins,
  type InstalledPlugin,
  type ProviderPlugin,
} from "./provider-plugins.js";

/** Every platform with a folder here. Adding a platform: its folder (see README.md) and one line in this list. */
export const platforms: readonly PlatformDefinition[] = [
  local,
  simulated,
  aws,
  azure,
  gcp,
  kubernetes,
  vsphere,
];

/** The platform of that name, implemented or not; undefined when no folder defines it. */
export function platformDefinition(name: string): PlatformDefinition | undefined {
  return platforms.find((p) => p.name === name);
}

/** The folders on this machine that hold platforms' per-stack data folders (`<stateDir>/clusters` for local). */
export function dataFolderRoots(stateDir: string): string[] {
  return platforms.flatMap((p) => (p.dataFolder ? [p.dataFolder.root(stateDir)] : []));
}

/** A stack's data folder on this machine; undefined when its platform keeps everything in the stack's state. */
export function stackDataFolder(platform: string, stateDir: string, stackName: string): string | undefined {
  const folder = platformDefinition(platform)?.dataFolder;
  return folder ? join(folder.root(stateDir), stackName) : undefined;
}

/**
 * The platform whose data folder for this stack exists on this machine: how a job about a ClusterDeployment that is
 * gone from the hub still knows what its cluster left here.
 */
export function platformHoldingStack(stateDir: string, stackName: string): PlatformDefinition | undefined {
  return platforms.find((p) => p.dataFolder && existsSync(join(p.dataFolder.root(stateDir), stackName)));
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

/** Installs every platform's plugins that tools/build.sh built and the Pulumi home lacks (a worker at its start). */
export function installToolsPlugins(toolsBinDir: string, pulumiHome: string): Promise<ProviderPlugin[]> {
  return installBuiltPlugins(
    platforms.flatMap((p) => p.plugins ?? []),
    toolsBinDir,
    pulumiHome,
  );
}

/** The provider plugins a platform needs that the Pulumi home lacks; none for an unknown platform. */
export function missingProviderPlugins(platform: string, pulumiHome: string): ProviderPlugin[] {
  const required = requiredPlugins(platformDefinition(platform)?.plugins ?? []);
  return required.length === 0 ? [] : missingPlugins(required, installedPlugins(pulumiHome));
}

/** Throws ProviderPluginMissingError, before any run, when the platform's plugins are not in the Pulumi home. */
export function assertProviderPlugins(platform: string, pulumiHome: string): void {
  const missing = missingProviderPlugins(platform, pulumiHome);
  if (missing.length === 0) return;
  throw new ProviderPluginMissingError(
    missing.map((p) => `${p.name} ${p.version}`),
    missingPluginsMessage(missing, pulumiHome),
  );
}

/**
 * For `slipway dev status`: the plugins the Pulumi home holds, and each platform's required plugin with whether it
 * is there ("aws 7.48.0 (aws): missing").
 */
export function providerPluginReport(pulumiHome: string): { installed: string[]; required: string[] } {
  const installed = installedPlugins(pulumiHome);
  const required = platforms.flatMap((p) =>
    requiredPlugins(p.plugins ?? []).map((plugin) => {
      const there = missingPlugins([plugin], installed).length === 0;
      return `${plugin.name} ${plugin.version} (${p.name}): ${there ? "installed" : "missing"}`;
    }),
  );
  return { installed: installed.map((i) => `${i.kind} ${i.name} ${i.version}`), required };
}
