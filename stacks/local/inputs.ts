import { ClusterDeploymentReason } from "../../src/api/reasons.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Infer } from "../../src/api/schema.js";
import { TerminalStackError } from "../../src/errors/index.js";
import { absolutePath, clusterInputs, parseInputs } from "../cluster-inputs.js";
import type { PlatformDataFolder, StackContext } from "../platform.js";
import { localPlatform } from "../../src/api/platforms/local.js";

/** The local program's inputs: spec.platform.local as the API stores it, plus where the cluster lives here. */
export const localInputs = clusterInputs(localPlatform({ immutable: false }), {
  dataDir: absolutePath(
    "Folder that holds the cluster's PKI, etcd data, logs and kubeconfigs. Removed on destroy.",
  ),
  binDir: absolutePath("Folder with etcd, kube-apiserver and kube-controller-manager (tools/bin)."),
});
export type LocalClusterInputs = Infer<typeof localInputs>;

/** Local clusters live in <stateDir>/clusters/<stack>: PKI, etcd data, logs, kubeconfigs, the registration agent. */
export const localDataFolder: PlatformDataFolder = { root: (stateDir) => join(stateDir, "clusters") };

/** Where a stack's cluster lives on this machine. */
export function localHostInputs(ctx: StackContext): Pick<LocalClusterInputs, "dataDir" | "binDir"> {
  return { dataDir: join(localDataFolder.root(ctx.stateDir), ctx.stackName), binDir: ctx.toolsBinDir };
}

/**
 * Checks the inputs before Pulumi runs, so a bad spec stops at once with a reason instead of failing in the
 * provider: the schema, then what admission cannot see (the binaries and the version built on this machine).
 */
export function validateLocalInputs(raw: unknown): LocalClusterInputs {
  const inputs = parseInputs("local", localInputs, raw);
  const programs = [
    "etcd",
    "kube-apiserver",
    ...(inputs.platform.controllerManager ? ["kube-controller-manager"] : []),
  ];
  checkBuiltTools(inputs.binDir, programs, inputs.platform.version);
  return inputs;
}

/** Stops with ToolsMissing or UnsupportedVersion when the programs are not built here or run another version. */
export function checkBuiltTools(
  binDir: string,
  programs: readonly string[],
  version: string | undefined,
  versionField = "spec.platform.local.version",
): void {
  for (const program of programs) {
    if (!existsSync(join(binDir, program))) {
      throw new TerminalStackError(
        ClusterDeploymentReason.ToolsMissing,
        `local platform: ${program} is missing from ${binDir}; run \`bash tools/build.sh\``,
      );
    }
  }
  if (version === undefined) return;
  const built = builtVersion(binDir);
  if (!built) {
    throw new TerminalStackError(
      ClusterDeploymentReason.ToolsMissing,
      `local platform: ${binDir} has no kube-apiserver.version stamp; run \`bash tools/build.sh\``,
    );
  }
  if (!versionMatches(version, built)) {
    throw new TerminalStackError(
      ClusterDeploymentReason.UnsupportedVersion,
      `the local platform runs Kubernetes ${built} (built by tools/build.sh); set ${versionField} ` +
        `to ${built.split(".").slice(0, 2).join(".")} or ${versionField.includes("release") ? built : "leave it empty"}`,
    );
  }
}

/** "1.36" and "1.36.3" match a built 1.36.3; "1.3" does not: versions match by whole components. */
export function versionMatches(wanted: string, built: string): boolean {
  const want = wanted.replace(/^v/, "");
  return built === want || built.startsWith(`${want}.`);
}

/** "1.36.3" from tools/bin/kube-apiserver.version, or undefined when the stamp is absent. */
function builtVersion(binDir: string): string | undefined {
  const stamp = join(binDir, "kube-apiserver.version");
  if (!existsSync(stamp)) return undefined;
  return readFileSync(stamp, "utf8").trim().replace(/^v/, "") || undefined;
}
