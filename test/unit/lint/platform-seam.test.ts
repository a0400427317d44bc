import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { PLATFORMS } from "../../../src/api/platform.js";
import { repoRoot } from "../../../src/runtime/paths.js";

// A platform's behaviour lives in stacks/<platform>/ behind PlatformDefinition (docs/contributing.md, "How to add a
// platform"); the rest of the house asks the definition and never branches on a platform's name. These checks read
// the source as text, as a lint would.

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** The code without its comments, line by line (line numbers kept), so prose about a platform is not code. */
function codeLines(text: string): string[] {
  const withoutBlocks = text.replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, " "));
  return withoutBlocks.split("\n").map((line) => line.replace(/(^|[^:"'`])\/\/.*$/, "$1"));
}

const names = PLATFORMS.join("|");
const quoted = `["'\`](?:${names})["'\`]`;
/** Each way of branching on a platform's name that the house has used, and would use again. */
const branches: { what: string; pattern: RegExp }[] = [
  {
    what: "a comparison with a platform's name",
    pattern: new RegExp(`[=!]==?\\s*${quoted}|${quoted}\\s*[=!]==?`),
  },
  { what: "a case on a platform's name", pattern: new RegExp(`\\bcase\\s+${quoted}\\s*:`) },
  {
    what: "a test of which platform block a spec holds",
    pattern: new RegExp(`\\bplatform\\??\\.(?:${names})\\b(?!\\s*=[^=])`),
  },
  {
    what: "a membership test with a platform's name",
    pattern: new RegExp(`\\.includes\\(\\s*${quoted}\\s*\\)`),
  },
];

/**
 * Allowed, each with its reason. Nothing that decides what to do with a resource: only the benchmark commands'
 * `--scenario`, whose values name the platform a scenario measures.
 */
const benchScenario =
  "a benchmark scenario named after the platform it measures: the command's option, not a resource";
const allowed: { file: string; line: string; why: string }[] = [
  { file: "src/bench/bench.ts", line: `if (scenario !== "simulated") await benchLocal(`, why: benchScenario },
  { file: "src/bench/bench.ts", line: `if (scenario !== "local") await benchSimulated(`, why: benchScenario },
  { file: "src/bench/bench-policies.ts", line: `if (options.scenario !== "local")`, why: benchScenario },
  {
    file: "src/bench/bench-policies.ts",
    line: `if (options.scenario !== "simulated" &&`,
    why: benchScenario,
  },
];

/** A platform's own wire format (src/api/platforms/<platform>.ts) is about that platform by definition. */
const ownFragments = join(repoRoot, "src", "api", "platforms");

function offenders(files: string[]): string[] {
  return files.flatMap((path) => {
    const file = relative(repoRoot, path);
    return codeLines(readFileSync(path, "utf8")).flatMap((line, i) =>
      branches
        .filter(({ pattern }) => pattern.test(line))
        .filter(() => !allowed.some((a) => a.file === file && line.includes(a.line)))
        .map(({ what }) => `${file}:${i + 1}: ${what}: ${line.trim()}`),
    );
  });
}

describe("the platform seam", () => {
  it("nothing in src/ branches on a platform's name: it asks the platform's definition (stacks/<platform>)", () => {
    const files = sources(join(repoRoot, "src")).filter((path) => !path.startsWith(ownFragments));
    expect(files.length).toBeGreaterThan(100);
    expect(offenders(files)).toEqual([]);
  });

  it("catches each way of branching it looks for", () => {
    const samples = [
      `if (platform === "local") stop();`,
      `return "simulated" !== name;`,
      `switch (p) { case "aws": break; }`,
      `if (cd.spec.platform.simulated) return;`,
      `const ok = Boolean(cd.spec.platform?.local) || x;`,
      `if (["local", "simulated"].includes("gcp")) go();`,
    ];
    for (const sample of samples)
      expect(branches.some(({ pattern }) => pattern.test(codeLines(sample)[0]!))).toBe(true);
    // Prose and building a spec are not branches.
    for (const sample of [`// when platform === "local"`, `const spec = { platform: { local: {} } };`])
      expect(branches.some(({ pattern }) => pattern.test(codeLines(sample)[0]!))).toBe(false);
  });

  it("src/api imports nothing from stacks/: the API owns the platforms' wire format", () => {
    const files = sources(join(repoRoot, "src", "api"));
    const up = files.filter((path) =>
      /(?:from|import)\s*\(?\s*["'](?:\.\.\/)+stacks\//.test(readFileSync(path, "utf8")),
    );
    expect(up.map((path) => relative(repoRoot, path))).toEqual([]);
  });
});
