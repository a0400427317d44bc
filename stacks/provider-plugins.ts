import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Pulumi resource provider plugins: which a platform's programs need, at which version, and which a Pulumi home
 * holds. Slipway never downloads one (the runner sets PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION): a missing
 * plugin is a condition that names it and says how to install it, and clusters wait for it without running.
 */

/** A provider plugin a platform needs, named after the npm package whose version it must match. */
export interface ProviderPluginRef {
  /** The plugin's name: `aws` for pulumi-resource-aws. */
  name: string;
  /** The SDK package of this checkout that decides the version: `@pulumi/aws`. */
  sdkPackage: string;
}

export interface ProviderPlugin {
  name: string;
  version: string;
}

/** A plugin as the Pulumi CLI keeps it: `<PULUMI_HOME>/plugins/<kind>-<name>-v<version>/`. */
export interface InstalledPlugin extends ProviderPlugin {
  kind: string;
}

const require = createRequire(import.meta.url);

/** The version of the plugin an SDK package drives: its package.json's `pulumi.version`, else its own version. */
export function requiredVersion(sdkPackage: string): string {
  const manifest = JSON.parse(readFileSync(require.resolve(`${sdkPackage}/package.json`), "utf8")) as {
    version: string;
    pulumi?: { version?: string };
  };
  return (manifest.pulumi?.version ?? manifest.version).replace(/^v/, "");
}

export function requiredPlugins(refs: readonly ProviderPluginRef[]): ProviderPlugin[] {
  return refs.map((ref) => ({ name: ref.name, version: requiredVersion(ref.sdkPackage) }));
}

/** Where the Pulumi runner keeps PULUMI_HOME under Slipway's state folder. */
export function pulumiHomeFor(stateDir: string): string {
  return join(stateDir, "pulumi", "home");
}

// The CLI's own rules (sdk/go/common/workspace/plugins.go): a folder named kind-name-vversion, not one being
// written (.tmpN) and without a `.partial` marker beside it.
const PLUGIN_FOLDER = /^(?<kind>[a-z]+)-(?<name>[a-zA-Z0-9-][a-zA-Z0-9-_.]*[a-zA-Z0-9])-v(?<version>.+)$/;

/** The plugins a Pulumi home holds, completely installed ones only. */
export function installedPlugins(pulumiHome: string): InstalledPlugin[] {
  const dir = join(pulumiHome, "plugins");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const usable = entry.isDirectory() && !/\.tmp[0-9]+$/.test(entry.name);
    const match = usable ? PLUGIN_FOLDER.exec(entry.name) : null;
    if (!match?.groups || existsSync(join(dir, `${entry.name}.partial`))) return [];
    const { kind, name, version } = match.groups as { kind: string; name: string; version: string };
    return [{ kind, name, version }];
  });
}

/** The required plugins a Pulumi home lacks (the exact version: the SDK speaks that plugin's schema). */
export function missingPlugins(required: ProviderPlugin[], installed: InstalledPlugin[]): ProviderPlugin[] {
  return required.filter(
    (p) => !installed.some((i) => i.kind === "resource" && i.name === p.name && i.version === p.version),
  );
}

/** What a person reads on the condition: the plugin, its version, where, and how to install or mirror it. */
export function missingPluginsMessage(missing: ProviderPlugin[], pulumiHome: string): string {
  const names = missing.map((p) => `${p.name} ${p.version}`).join(", ");
  const installs = missing
    .map(
      (p) =>
        `\`PULUMI_HOME=${pulumiHome} pulumi plugin install resource ${p.name} ${p.version} ` +
        `--file pulumi-resource-${p.name}-v${p.version}-linux-amd64.tar.gz\``,
    )
    .join("; ");
  return (
    `the Pulumi provider plugin ${names} is not installed in ${pulumiHome} and Slipway never downloads one. ` +
    `Install it from a tarball: ${installs}; or from a plugin mirror in your network with ` +
    `\`pulumi plugin install resource <name> <version> --server <mirror URL>\`. ` +
    "The cluster is taken up by itself once it is there; nothing was created meanwhile"
  );
}

/** The first re-check 10 s after the plugin was found missing, then waits as long as it has waited, up to 5 min. */
export const PLUGIN_RECHECK_MIN_MS = 10_000;
export const PLUGIN_RECHECK_MAX_MS = 300_000;

/** When to look for the plugin again, given how long the cluster has waited for it: capped backoff, no hot loop. */
export function pluginRecheckDelayMs(waitedMs: number): number {
  return Math.min(PLUGIN_RECHECK_MAX_MS, Math.max(PLUGIN_RECHECK_MIN_MS, Math.floor(waitedMs)));
}

/**
 * Installs the plugins that tools/build.sh built from their Go modules (tools/bin/pulumi-resource-<name>) into a
 * Pulumi home, at the version their SDK package drives, unless it holds them already: what an operator would do by
 * hand with `pulumi plugin install resource <name> <version> --file <binary>`. Returns what it installed.
 */
export async function installBuiltPlugins(
  refs: readonly ProviderPluginRef[],
  toolsBinDir: string,
  pulumiHome: string,
): Promise<ProviderPlugin[]> {
  const built = requiredPlugins(refs).filter((p) =>
    existsSync(join(toolsBinDir, `pulumi-resource-${p.name}`)),
  );
  const missing = missingPlugins(built, installedPlugins(pulumiHome));
  for (const plugin of missing) {
    await promisify(execFile)(
      join(toolsBinDir, "pulumi"),
      [
        "plugin",
        "install",
        "resource",
        plugin.name,
        plugin.version,
        "--file",
        join(toolsBinDir, `pulumi-resource-${plugin.name}`),
      ],
      {
        env: {
          ...process.env,
          PULUMI_HOME: pulumiHome,
          PULUMI_SKIP_UPDATE_CHECK: "true",
          PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        },
      },
    );
  }
  return missing;
}
