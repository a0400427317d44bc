import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTerminationLog, TERMINATION_LOG_BYTES } from "../../../src/runtime/termination-log.js";
import { distDir } from "../../../src/runtime/paths.js";
import { mountSmallDisk, type SmallDisk } from "../../harness/small-disk.js";

const run = promisify(execFile);

/** A Node process (compiled termination-log module) that prepares its last words, then runs `body`. */
async function processThat(body: string, terminationLog: string): Promise<number> {
  const module = join(distDir, "src", "runtime", "termination-log.js");
  const script = `import { recordTermination } from ${JSON.stringify(module)};
recordTermination(${JSON.stringify(terminationLog)});
${body}`;
  try {
    await run(process.execPath, ["--input-type=module", "-e", script], { timeout: 20_000 });
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

describe("a termination log on a full disk", () => {
  let disk: SmallDisk;
  beforeAll(async () => {
    disk = await mountSmallDisk(1);
  });
  afterAll(async () => {
    await disk?.unmount();
  });

  it("keeps the reason a process died of a full disk, written where the disk had no room left", async () => {
    const path = join(disk.dir, "worker.exit");
    const code = await processThat(
      `import { writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
// Fill the disk (a separate process, as another program would), then fail the way a write does.
spawnSync("sh", ["-c", "cat /dev/zero > ${join(disk.dir, "filler")}"]);
setTimeout(() => writeFileSync(${JSON.stringify(join(disk.dir, "state.json"))}, "x".repeat(65536)), 10);`,
      path,
    );
    try {
      expect(code).toBe(1);
      const lastWords = readTerminationLog(path);
      expect(lastWords).toMatch(
        /^\d{4}-\d\d-\d\dT\S+ uncaught exception: ENOSPC: no space left on device, write/,
      );
    } finally {
      await disk.free();
    }
  });

  it("says how a process that ended normally exited, and stays one block long", async () => {
    const path = join(disk.dir, "controller.exit");
    expect(await processThat("process.exitCode = 3;", path)).toBe(3);
    expect(readTerminationLog(path)).toMatch(/ exited with code 3$/);
    const { size } = await import("node:fs/promises").then((fs) => fs.stat(path));
    expect(size).toBe(TERMINATION_LOG_BYTES);
  });

  it("leaves `started` while the process runs or when it was killed without a chance to speak", async () => {
    const path = join(disk.dir, "killed.exit");
    expect(await processThat('process.kill(process.pid, "SIGKILL");', path)).not.toBe(0);
    expect(readTerminationLog(path)).toMatch(/^started \S+ pid \d+$/);
  });
});
