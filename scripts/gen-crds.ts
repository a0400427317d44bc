/**
 * `npm run gen:crds`: writes the CRDs (charts/slipway/crds) and the API reference (docs/api.md) generated
 * from the schemas in src/api, and the chart's RBAC rules from src/runtime/rbac.ts. Commit what it writes;
 * test/unit/api/drift.test.ts and test/unit/runtime/rbac.test.ts fail when they are stale.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crdDir, repoRoot } from "../src/runtime/paths.js";
import { renderApiDocs, renderCrdFiles } from "../src/api/render.js";
import { RBAC_RULES_TEMPLATE, renderRbacRulesTemplate } from "../src/runtime/rbac.js";

const apiDocsPath = join(repoRoot, "docs", "api.md");

function main(): void {
  mkdirSync(crdDir, { recursive: true });
  const files = renderCrdFiles();
  for (const stale of readdirSync(crdDir)) {
    if (stale.startsWith("slipway.dev_") && !files.has(stale)) rmSync(join(crdDir, stale));
  }
  for (const [name, content] of files) writeFileSync(join(crdDir, name), content);
  writeFileSync(apiDocsPath, renderApiDocs());
  writeFileSync(join(repoRoot, RBAC_RULES_TEMPLATE), renderRbacRulesTemplate());
  console.log(`wrote ${files.size} CRDs to ${crdDir} and the API reference to ${apiDocsPath}`);
}

main();
