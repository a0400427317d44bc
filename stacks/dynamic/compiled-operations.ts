import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ClusterDeploymentReason } from "../../src/api/reasons.js";
import { TerminalStackError } from "../../src/errors/index.js";

/**
 * Where a platform's compiled operations are, for a provider whose methods must stay tiny because Pulumi's closure
 * serializer carries them to the provider process: they capture the file URL this returns and `loadCompiled`,
 * and do the work in dist/stacks/<platform>/operations.js (stacks/README.md, "Dynamic providers").
 */
export interface CompiledOperations {
  /** Absolute path of the compiled operations.js. */
  path: string;
  /** Its file URL, baked into the stack's state. */
  url: string;
  /** Its path under dist/, for a runner that names its own dist/ (SLIPWAY_DIST_URL). */
  inDist: string;
  /** The provider process can only run compiled code: a clear stop (ProviderCodeMissing) when it is not built. */
  assertBuilt(): void;
}

/** `providerModuleUrl` is the calling provider.ts's import.meta.url (compiled next to operations.js in dist/). */
export function compiledOperations(platform: string, providerModuleUrl: string): CompiledOperations {
  const self = fileURLToPath(providerModuleUrl);
  const here = dirname(self);
  // Compiled, provider.js sits next to operations.js; run from source (vitest, tsx), that is the checkout's dist/.
  const path = self.endsWith(".js")
    ? join(here, "operations.js")
    : join(here, "..", "..", "dist", "stacks", platform, "operations.js");
  return {
    path,
    url: pathToFileURL(path).href,
    inDist: `stacks/${platform}/operations.js`,
    assertBuilt() {
      if (existsSync(path)) return;
      throw new TerminalStackError(
        ClusterDeploymentReason.ProviderCodeMissing,
        `${platform} platform: ${path} is missing; build Slipway (npm run build) before running ${platform} stacks`,
      );
    },
  };
}

/**
 * Imports the compiled operations in the provider process. Self-contained (it goes through the serializer). The URL
 * is baked into the stack's state, and `read`/`delete` run the provider recorded there: after Slipway moved or was
 * upgraded in another folder, that path is stale, so the runner's own dist/ (SLIPWAY_DIST_URL, which the CLI hands
 * to this process) wins.
 */
export function loadCompiled<T>(url: string, inDist: string): Promise<T> {
  const distUrl = process.env.SLIPWAY_DIST_URL;
  const target = distUrl ? `${distUrl.replace(/\/$/, "")}/${inDist}` : url;
  // A native dynamic import written as a string: test runners (vitest) rewrite `import()` in the source into a
  // call to their own loader, which the serializer cannot carry to the provider process.
  const nativeImport = new Function("specifier", "return import(specifier)") as (
    specifier: string,
  ) => Promise<T>;
  return nativeImport(target);
}
