import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { format } from "prettier";
import { describe, expect, it } from "vitest";
import { renderApiDocs, renderCrdFiles } from "../../../src/api/render.js";
import { crdDir, repoRoot } from "../../../src/runtime/paths.js";

const stale = "is stale: run `npm run gen:crds` and commit the result";

describe("generated files match src/api", () => {
  const files = renderCrdFiles();

  it.each([...files.keys()])("charts/slipway/crds/%s", (name) => {
    const path = join(crdDir, name);
    expect(existsSync(path), `charts/slipway/crds/${name} is missing: run \`npm run gen:crds\``).toBe(true);
    expect(readFileSync(path, "utf8"), `charts/slipway/crds/${name} ${stale}`).toBe(files.get(name));
  });

  it("charts/slipway/crds holds no CRD that src/api does not define", () => {
    const extra = readdirSync(crdDir).filter((f) => f.startsWith("slipway.dev_") && !files.has(f));
    expect(extra, `remove them with \`npm run gen:crds\``).toEqual([]);
  });

  it("docs/api.md", () => {
    expect(readFileSync(join(repoRoot, "docs", "api.md"), "utf8"), `docs/api.md ${stale}`).toBe(
      renderApiDocs(),
    );
  });

  it("docs/api.md is written as Prettier would write it (no table padding, nothing for `prettier --check`)", async () => {
    const docs = renderApiDocs();
    expect(await format(docs, { parser: "markdown", printWidth: 110 })).toBe(docs);
    expect(docs).not.toMatch(/^\|/m);
  });
});
