import { describe, expect, it } from "vitest";
import { renderDurationTable, renderFailures, type FileDuration } from "../../harness/duration-reporter.js";

const row = (
  file: string,
  tier: string,
  seconds: number,
  extra: Partial<FileDuration> = {},
): FileDuration => ({
  file,
  tier,
  seconds,
  tests: 3,
  failed: 0,
  failedOutsideTests: false,
  slowWithoutReason: false,
  ...extra,
});

describe("the per-file duration table", () => {
  it("lists files longest first, sums each tier and marks failures and unexplained slow files", () => {
    const table = renderDurationTable([
      row("test/unit/a.test.ts", "unit", 0.4),
      row("test/e2e/slow.test.ts", "e2e", 150, { slowWithoutReason: true }),
      row("test/integration/b.test.ts", "integration", 12.25, { failed: 1 }),
      row("test/e2e/c.test.ts", "e2e", 30),
    ]);
    const lines = table.split("\n");
    expect(lines[1]).toContain("test/e2e/slow.test.ts");
    expect(lines[1]).toContain('header has no "Slow:" line');
    expect(lines[2]).toContain("test/e2e/c.test.ts");
    expect(lines[3]).toMatch(/12\.3 .*integration .*b\.test\.ts .*1 FAILED/);
    expect(lines[4]).toContain("test/unit/a.test.ts");
    expect(table).toMatch(/180\.0\s+e2e\s+sum of 2 files/);
    expect(table).toMatch(/0\.4\s+unit\s+sum of 1 files/);
  });

  it("marks a file that failed in a hook although all its tests passed", () => {
    const table = renderDurationTable([row("test/e2e/d.test.ts", "e2e", 9, { failedOutsideTests: true })]);
    expect(table.split("\n")[1]).toContain("FAILED outside its tests (a hook or collecting it)");
  });

  it("ends with what failed, one line each, so a log's tail names the failure", () => {
    expect(renderFailures([])).toBe("Nothing failed.");
    expect(
      renderFailures([
        { where: "test/e2e/d.test.ts > outer", message: "Error: cleanup broke" },
        { where: "unhandled error", message: "Error: late rejection" },
      ]).split("\n"),
    ).toEqual([
      "What failed (2):",
      "  test/e2e/d.test.ts > outer: Error: cleanup broke",
      "  unhandled error: Error: late rejection",
    ]);
  });
});
