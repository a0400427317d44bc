import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { TerminalStackError } from "../../src/errors/index.js";
import type { DesiredPowerState } from "../types.js";

/** Desired state of one `local` cluster: a control plane on this machine. */
export interface LocalClusterInputs {
  /** DNS-1123 label; used in certificate names and log lines. */
  clusterName: string;
  /** Absolute folder that holds the cluster's PKI, etcd data, logs and kubeconfigs. Removed on destroy. */
  dataDir: string;
  /** Absolute folder with etcd, kube-apiserver and kube-controller-manager (tools/bin). */
  binDir: string;
  powerState: DesiredPowerState;
  /** "1.36" or "1.36.3": must match the kube-apiserver in binDir. Absent: whatever binDir has. */
  kubernetesVersion?: string;
  /** Also run kube-controller-manager (CSR signing, garbage collection, namespace deletion). Default true. */
  controllerManager?: boolean;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const VERSION = /^v?[0-9]+\.[0-9]+(\.[0-9]+)?$/;

/**
 * Checks the inputs before Pulumi runs, so a bad spec stops at once with a reason instead of failing in the
 * provider. Reads binDir's version stamp (written by tools/build.sh) when a version is asked for.
 */
export function validateLocalInputs(raw: unknown): LocalClusterInputs {
  const bad = (message: string): never => {
    throw new TerminalStackError("InvalidInputs", `local platform: ${message}`);
  };
  if (typeof raw !== "object" || raw === null) return bad("inputs must be an object");
  const inputs = raw as Record<string, unknown>;
  const { clusterName, dataDir, binDir, powerState, kubernetesVersion, controllerManager } = inputs;
  if (typeof clusterName !== "string" || clusterName.length > 63 || !DNS1123_LABEL.test(clusterName)) {
    bad(`clusterName must be a DNS-1123 label of at most 63 characters, got ${JSON.stringify(clusterName)}`);
  }
  if (typeof dataDir !== "string" || !isAbsolute(dataDir)) bad("dataDir must be an absolute path");
  if (typeof binDir !== "string" || !isAbsolute(binDir)) bad("binDir must be an absolute path");
  if (powerState !== "Running" && powerState !== "Hibernating") {
    bad(`powerState must be Running or Hibernating, got ${JSON.stringify(powerState)}`);
  }
  if (controllerManager !== undefined && typeof controllerManager !== "boolean")
    bad("controllerManager must be a boolean");
  const binaries = [
    "etcd",
    "kube-apiserver",
    ...(controllerManager === false ? [] : ["kube-controller-manager"]),
  ];
  for (const program of binaries) {
    if (!existsSync(join(binDir as string, program))) {
      throw new TerminalStackError(
        "ToolsMissing",
        `local platform: ${program} is missing from ${binDir}; run \`bash tools/build.sh\``,
      );
    }
  }
  if (kubernetesVersion !== undefined) {
    if (typeof kubernetesVersion !== "string" || !VERSION.test(kubernetesVersion)) {
      bad(`kubernetesVersion must look like 1.36 or 1.36.3, got ${JSON.stringify(kubernetesVersion)}`);
    }
    const available = builtVersion(binDir as string);
    const wanted = (kubernetesVersion as string).replace(/^v/, "");
    if (available && !(available === wanted || available.startsWith(`${wanted}.`))) {
      throw new TerminalStackError(
        "UnsupportedVersion",
        `local platform: Kubernetes ${wanted} was asked for but ${binDir} holds ${available}; ` +
          "the local platform runs the version built by tools/build.sh",
      );
    }
  }
  return {
    clusterName: clusterName as string,
    dataDir: dataDir as string,
    binDir: binDir as string,
    powerState: powerState as DesiredPowerState,
    ...(kubernetesVersion === undefined
      ? {}
      : { kubernetesVersion: (kubernetesVersion as string).replace(/^v/, "") }),
    controllerManager: controllerManager !== false,
  };
}

/** "1.36.3" from tools/bin/kube-apiserver.version, or undefined when the stamp is absent. */
function builtVersion(binDir: string): string | undefined {
  const stamp = join(binDir, "kube-apiserver.version");
  if (!existsSync(stamp)) return undefined;
  return readFileSync(stamp, "utf8").trim().replace(/^v/, "") || undefined;
}
