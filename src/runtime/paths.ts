import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout Slipway runs from: the folder holding package.json, whether running from src/ or dist/. */
export const repoRoot: string = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "tools"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find Slipway's checkout above ${start}`);
    dir = parent;
  }
}

/** Where tools/build.sh puts kube-apiserver, etcd, pulumi ... */
export const toolsBinDir = join(repoRoot, "tools", "bin");

/** Compiled JavaScript of this checkout (npm run build). Child processes that cannot load TypeScript use it. */
export const distDir = join(repoRoot, "dist");

export const crdDir = join(repoRoot, "charts", "slipway", "crds");
/** OCM's hub CRDs (ManagedCluster, ManagedClusterSet(Binding), ManifestWork, add-ons), copied by tools/build.sh. */
export const ocmCrdDir = join(toolsBinDir, "ocm-crds");
/** OCM's CRDs a registration agent needs on its own cluster (ClusterClaim), copied by tools/build.sh. */
export const ocmSpokeCrdDir = join(toolsBinDir, "ocm-spoke-crds");
/** The embedded hub's OCM namespaces and bootstrap RBAC (copied from the ocm module, see each file's header). */
export const ocmHubManifestDir = join(repoRoot, "tools", "ocm", "hub");
/** OCM's klusterlet operator for clusters on cloud platforms (copied from the ocm module, see each file's header). */
export const ocmKlusterletManifestDir = join(repoRoot, "tools", "ocm", "klusterlet");

export function defaultStateDir(): string {
  return resolve(repoRoot, ".slipway");
}
