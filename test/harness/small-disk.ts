import { execFile } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A real file system of a few MiB (tmpfs; the tests run as root) that a test can fill and free again. */
export interface SmallDisk {
  dir: string;
  /**
   * Writes a filler file until the file system answers ENOSPC, then pads `topUp` files (logs of running
   * processes) with newlines to the end of their last block, which would otherwise still take short lines.
   */
  fill(topUp?: string[]): void;
  /** Removes the filler: the space is free again. */
  free(): Promise<void>;
  unmount(): Promise<void>;
}

export async function mountSmallDisk(sizeMiB: number): Promise<SmallDisk> {
  const dir = await mkdtemp(join(tmpdir(), "slipway-small-disk-"));
  await run("mount", ["-t", "tmpfs", "-o", `size=${sizeMiB}m`, "tmpfs", dir]);
  const filler = join(dir, "filler");
  return {
    dir,
    fill: (topUp = []) => {
      const fd = openSync(filler, "a");
      const chunk = Buffer.alloc(1024 * 1024);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
      } finally {
        closeSync(fd);
      }
      // The last MiB did not fit; fill the remaining bytes too.
      for (const [file, pad] of [[filler, 0], ...topUp.map((f) => [f, 0x0a] as const)] as const) {
        const small = openSync(file, "a");
        try {
          for (;;) writeSync(small, Buffer.alloc(1, pad));
        } catch {
          // Full to the last byte of its last block.
        } finally {
          closeSync(small);
        }
      }
    },
    free: () => rm(filler, { force: true }),
    unmount: async () => {
      await run("umount", ["-l", dir]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
