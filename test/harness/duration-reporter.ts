import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { Reporter, SerializedError, TestModule } from "vitest/node";

/** A test file may take longer than this only if its header says why, in a line that starts with `Slow:`. */
export const SLOW_FILE_SECONDS = 120;

export interface FileDuration {
  file: string;
  tier: string;
  seconds: number;
  tests: number;
  failed: number;
  /** The file failed with no failed test: a beforeAll/afterAll hook, or collecting it, threw. */
  failedOutsideTests: boolean;
  slowWithoutReason: boolean;
}

/** One thing that made the run fail, in one line: where, and the first line of what it said. */
export interface Failure {
  where: string;
  message: string;
}

function headerSaysWhySlow(path: string): boolean {
  try {
    return /^\s*\*?\s*Slow:/m.test(readFileSync(path, "utf8").slice(0, 3000));
  } catch {
    return false;
  }
}

/** The time one file took: importing it, its setup, and all its tests and hooks. */
export function fileDuration(module: TestModule, root: string): FileDuration {
  const d = module.diagnostic();
  const ms =
    d.environmentSetupDuration + d.prepareDuration + d.collectDuration + d.setupDuration + d.duration;
  const tests = [...module.children.allTests()];
  const seconds = ms / 1000;
  return {
    file: relative(root, module.moduleId),
    tier: module.project.name,
    seconds,
    tests: tests.length,
    failed: tests.filter((t) => t.result().state === "failed").length,
    failedOutsideTests: module.state() === "failed" && !tests.some((t) => t.result().state === "failed"),
    slowWithoutReason: seconds > SLOW_FILE_SECONDS && !headerSaysWhySlow(module.moduleId),
  };
}

/** The per-file table, longest first, with each tier's sum; a file over the limit without a reason is marked. */
export function renderDurationTable(rows: FileDuration[]): string {
  const sorted = [...rows].sort((a, b) => b.seconds - a.seconds);
  const width = Math.max(4, ...sorted.map((r) => r.file.length));
  const lines = [
    `${"seconds".padStart(8)}  ${"tier".padEnd(11)}  ${"file".padEnd(width)}  tests`,
    ...sorted.map((r) => {
      const flags = [
        r.failed > 0 ? `${r.failed} FAILED` : "",
        r.failedOutsideTests ? "FAILED outside its tests (a hook or collecting it)" : "",
        r.slowWithoutReason ? `over ${SLOW_FILE_SECONDS} s and its header has no "Slow:" line` : "",
      ].filter(Boolean);
      return `${r.seconds.toFixed(1).padStart(8)}  ${r.tier.padEnd(11)}  ${r.file.padEnd(width)}  ${String(r.tests).padStart(5)}${flags.length ? `  <- ${flags.join("; ")}` : ""}`;
    }),
  ];
  const tiers = [...new Set(sorted.map((r) => r.tier))].sort();
  for (const tier of tiers) {
    const mine = sorted.filter((r) => r.tier === tier);
    const sum = mine.reduce((s, r) => s + r.seconds, 0);
    lines.push(`${sum.toFixed(1).padStart(8)}  ${tier.padEnd(11)}  sum of ${mine.length} files`);
  }
  return lines.join("\n");
}

const firstLine = (e: SerializedError) =>
  `${e.name && !e.message.startsWith(e.name) ? `${e.name}: ` : ""}${e.message}`.split("\n")[0]!.slice(0, 300);

/** Failed tests, errors of files outside their tests, and unhandled errors: what made the run fail. */
export function failuresOf(
  modules: ReadonlyArray<TestModule>,
  unhandled: ReadonlyArray<SerializedError>,
  root: string,
): Failure[] {
  const failures: Failure[] = [];
  for (const module of modules) {
    const file = relative(root, module.moduleId);
    for (const suite of [module, ...module.children.allSuites()]) {
      const where = suite.type === "module" ? file : `${file} > ${suite.fullName}`;
      for (const error of suite.errors()) failures.push({ where, message: firstLine(error) });
    }
    for (const test of module.children.allTests()) {
      const result = test.result();
      if (result.state !== "failed") continue;
      const error = result.errors?.[0];
      failures.push({ where: `${file} > ${test.fullName}`, message: error ? firstLine(error) : "failed" });
    }
  }
  for (const error of unhandled) failures.push({ where: "unhandled error", message: firstLine(error) });
  return failures;
}

/** The failures as lines, so that the tail of a long CI log says what failed, not only that something did. */
export function renderFailures(failures: Failure[]): string {
  if (failures.length === 0) return "Nothing failed.";
  return [`What failed (${failures.length}):`, ...failures.map((f) => `  ${f.where}: ${f.message}`)].join(
    "\n",
  );
}

/** Ends every run with how long each test file took, so growth shows in every CI log, and what failed. */
export default class DurationReporter implements Reporter {
  private root = process.cwd();
  private started = Date.now();

  onInit(vitest: { config: { root: string } }): void {
    this.root = vitest.config.root;
    this.started = Date.now();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError> = []): void {
    if (modules.length === 0 && unhandled.length === 0) return;
    const rows = modules.map((m) => fileDuration(m, this.root));
    const wall = (Date.now() - this.started) / 1000;
    console.log(
      `\nTest files by duration (whole run ${wall.toFixed(0)} s of wall time):\n${renderDurationTable(rows)}\n\n` +
        `${renderFailures(failuresOf(modules, unhandled, this.root))}\n`,
    );
  }
}
