import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SurvivingDestination } from "../../../src/runtime/log-destination.js";
import { createLogger } from "../../../src/runtime/logging.js";
import { mountSmallDisk, type SmallDisk } from "../../harness/small-disk.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

const jsonLines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const tempFolder = temporaryFolders("slipway-notice-");

describe("a log destination on a full disk", () => {
  let disk: SmallDisk;
  beforeAll(async () => {
    disk = await mountSmallDisk(1);
  });
  afterAll(async () => {
    await disk?.unmount();
  });

  it("drops lines instead of throwing, says so on standard error, and logs the gap once writing works", async () => {
    // Opened empty, so its first line needs a new block (a half-filled block would still take short lines).
    const logPath = join(disk.dir, "worker.log");
    const fd = openSync(logPath, "a");
    const noticeFd = openSync("/dev/null", "w");
    try {
      const destination = new SurvivingDestination({ fd, noticeFd });
      const log = createLogger({ level: "info", destination, name: "worker" });

      disk.fill();
      expect(() => {
        for (let i = 0; i < 3; i += 1) log.info({ jobId: `up-${i}` }, "Running up for generation 4");
      }).not.toThrow();
      expect(destination.dropped).toBe(3);

      await disk.free();
      log.info("after space was freed");
      const lines = jsonLines(logPath);
      expect(lines.map((l) => l.msg)).toEqual([
        "dropped 3 log lines while ENOSPC: no space left on device, write",
        "after space was freed",
      ]);
      expect(lines[0]).toMatchObject({ level: 40, droppedLines: 3, logger: "runtime.logging" });
      expect(destination.dropped).toBe(0);
    } finally {
      await disk.free();
      closeSync(fd);
      closeSync(noticeFd);
    }
  });

  it("writes a one-line notice to standard error, which may fail as well without throwing", async () => {
    const full = openSync("/dev/full", "w");
    const noticePath = join(tempFolder(), "stderr.log");
    const notice = openSync(noticePath, "w");
    try {
      const destination = new SurvivingDestination({ fd: full, noticeFd: notice });
      destination.write('{"msg":"one"}\n');
      destination.write('{"msg":"two"}\n');
      expect(readFileSync(noticePath, "utf8")).toBe(
        "slipway: cannot write log lines (ENOSPC: no space left on device, write); counting dropped lines until writing works again\n",
      );
      expect(destination.dropped).toBe(2);

      const both = new SurvivingDestination({ fd: full, noticeFd: full });
      expect(() => both.write('{"msg":"lost"}\n')).not.toThrow();
      expect(both.dropped).toBe(1);
    } finally {
      closeSync(full);
      closeSync(notice);
    }
  });
});
