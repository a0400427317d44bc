import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { distDir, repoRoot } from "../../src/runtime/paths.js";

const run = promisify(execFile);

/** The TypeScript that dist/ processes run: the CLI, controller, worker and the Pulumi programs. */
const compiledFolders = ["src", "stacks"];

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The first source file whose compiled .js is missing or older than it, if any. */
export function staleSource(): string | undefined {
  for (const folder of compiledFolders) {
    for (const source of typeScriptFiles(join(repoRoot, folder))) {
      const compiled = join(distDir, relative(repoRoot, source)).replace(/\.ts$/, ".js");
      if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs)
        return relative(repoRoot, source);
    }
  }
  return undefined;
}

/**
 * Hub tests start dist/ processes (`slipway controller`, `slipway worker`, `slipway dev`, the local platform's
 * operations). Compiles the checkout first when a source is newer than its build, so running one test file
 * with `npx vitest run` never tests stale code. `npm test` builds before vitest, so this finds nothing to do.
 */
export default async function buildDist(): Promise<void> {
  const stale = staleSource();
  if (!stale) return;
  console.log(`dist/ is older than ${stale}: npm run build`);
  try {
    await run("npm", ["run", "--silent", "build"], { cwd: repoRoot });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(
      `npm run build failed, so hub tests would run stale code:\n${stdout ?? ""}${stderr ?? ""}`,
    );
  }
}
