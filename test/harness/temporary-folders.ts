import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * Temporary folders for one test file: `const tempFolder = temporaryFolders("slipway-claim-")` at the top of the
 * file (or of a describe block: vitest takes hooks there), then `tempFolder()` wherever a test needs one, in a
 * hook or in a test. Each call makes a new `<prefix>XXXXXX` folder (in the system's temporary folder, or in
 * `parent`), and every folder made is removed after the file's (or block's) last test, passed or failed. Folders
 * made by hand were removed by each file's own afterAll, and files that made one inside a test forgot to (the
 * /tmp/slipway-claim-*, slipway-notice-* and redis-address-* left behind by every run); test/unit/lint/
 * test-tiers.test.ts keeps unit and integration tests on this helper.
 */
export function temporaryFolders(prefix: string): (parent?: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (parent = tmpdir()) => {
    const dir = mkdtempSync(join(parent, prefix));
    made.push(dir);
    return dir;
  };
}
