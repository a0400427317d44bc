import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterDeployment } from "../../api/index.js";
import { ClusterDeploymentReason as Reason } from "../../api/reasons.js";
import { InvalidSpecError, type PlatformAdapter, type PlatformContext } from "./platform.js";

/** The Kubernetes release tools/build.sh built; the only one a local cluster can run. */
function builtKubernetesVersion(toolsBinDir: string): string | undefined {
  try {
    return readFileSync(join(toolsBinDir, "kube-apiserver.version"), "utf8").trim().replace(/^v/, "");
  } catch {
    return undefined;
  }
}

/** Real control planes on this machine (stacks/local). */
export const localPlatform: PlatformAdapter = {
  name: "local",
  canHandle: (cd) => cd.spec.platform.local !== undefined,
  credentialsSecretName: () => undefined,
  validate(cd, ctx) {
    const wanted = cd.spec.platform.local?.version;
    const built = builtKubernetesVersion(ctx.toolsBinDir);
    if (!built) throw new InvalidSpecError(Reason.ToolsMissing, `kube-apiserver is not built in ${ctx.toolsBinDir}: run \`bash tools/build.sh\``);
    if (wanted && !built.startsWith(wanted)) {
      throw new InvalidSpecError(
        Reason.UnsupportedVersion,
        `the local platform runs Kubernetes ${built} (built by tools/build.sh); set spec.platform.local.version to ${built.split(".").slice(0, 2).join(".")} or leave it empty`,
      );
    }
  },
  stackInputs(cd: ClusterDeployment, ctx: PlatformContext) {
    return {
      clusterName: cd.spec.clusterName,
      dataDir: join(ctx.stateDir, "clusters", ctx.stackName),
      binDir: ctx.toolsBinDir,
      powerState: cd.spec.powerState ?? "Running",
      // The API's default (false) decides, not the stack program's own.
      controllerManager: cd.spec.platform.local?.controllerManager ?? false,
    };
  },
};
