import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../src/runtime/paths.js";

const skipped = new Set(["node_modules", "dist", ".git", ".slipway", "tools"]);

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (skipped.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return /\.test\.[cm]?[jt]s$/.test(name) ? [relative(repoRoot, path)] : [];
  });
}

/** What a unit test may not touch: the shared hub, Redis or Slipway's processes. */
const hubOrProcess =
  /from "\.\.\/(\.\.\/)*harness\/(hub|components|global-setup|other-host|spoke|small-disk)\.js"|new Redis\(|\bslipwayUnderTest\b/;

describe("test tiers by folder", () => {
  const files = testFiles(repoRoot);

  it("puts every test file in test/unit, test/integration or test/e2e, so its folder is its tier", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => !/^test\/(unit|integration|e2e)\//.test(f))).toEqual([]);
  });

  it("keeps the hub, Redis and Slipway's processes out of test/unit", () => {
    const offenders = files
      .filter((f) => f.startsWith("test/unit/"))
      .filter((f) => hubOrProcess.test(readFileSync(join(repoRoot, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("makes unit and integration tests' temporary folders through temporaryFolders, which removes them after the file", () => {
    const offenders = files
      .filter((f) => /^test\/(unit|integration)\//.test(f))
      .filter((f) => /\bmkdtemp(Sync)?\(/.test(readFileSync(join(repoRoot, f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
