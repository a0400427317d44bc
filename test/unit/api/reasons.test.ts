import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ClusterClaimReasons,
  ClusterDeploymentReasons,
  ClusterPoolReasons,
  CommonReasons,
  reasonsByKind,
} from "../../../src/api/reasons.js";
import { isValidReason } from "../../../src/runtime/conditions.js";
import { renderApiDocs } from "../../../src/api/render.js";

const root = join(import.meta.dirname, "..", "..", "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/**
 * Places a condition or Event reason is written: `reason: "X"`, `TerminalError("X"`, `InvalidSpecError("X"`, a stack's
 * `TerminalStackError("X"` (validation failures become condition reasons), and
 * an Event's `"Warning", "X"`. Pulumi failure classes (src/queue) and the pool algorithm's internal unions are
 * not reasons; where they become one (`Deleting${reason}`) the type checker holds them to the table.
 */
const reasonLiteral =
  /(?:\breason:\s*|\b(?:TerminalError|InvalidSpecError|TerminalStackError)\(\s*|"(?:Normal|Warning)",\s*)"([A-Za-z][A-Za-z0-9]*)"/g;

describe("condition reasons", () => {
  it("no controller writes a reason as a string literal: every one is a constant of src/api/reasons.ts", () => {
    const literals = ["src/provisioners", "src/pools", "src/runtime", "src/bootstrap", "stacks"]
      .flatMap((dir) => {
        try {
          return sources(join(root, dir));
        } catch {
          return [];
        }
      })
      .filter((file) => !file.includes(join("src", "pools", "algorithm")))
      .flatMap((file) =>
        [...readFileSync(file, "utf8").matchAll(reasonLiteral)].map(
          (m) => `${relative(root, file)}: ${m[1]}`,
        ),
      );
    expect(literals).toEqual([]);
  });

  it("every reason in the tables is CamelCase and has a meaning", () => {
    for (const table of [CommonReasons, ClusterDeploymentReasons, ClusterPoolReasons, ClusterClaimReasons]) {
      for (const [reason, meaning] of Object.entries(table)) {
        expect(isValidReason(reason), reason).toBe(true);
        expect(meaning.length, reason).toBeGreaterThan(10);
      }
    }
  });

  it("the names the code and docs once disagreed on are settled", () => {
    expect(Object.keys(ClusterDeploymentReasons)).toEqual(
      expect.arrayContaining(["UnsupportedVersion", "RetryingAfterError", "CredentialsSecretMissing"]),
    );
    for (const gone of ["VersionUnavailable", "ReconcileError", "CredentialsMissing"])
      expect(Object.keys(ClusterDeploymentReasons)).not.toContain(gone);
  });

  it("docs/api.md lists every reason of every kind", () => {
    const docs = renderApiDocs();
    for (const [kind, table] of Object.entries(reasonsByKind)) {
      const section = docs.slice(docs.indexOf(`## ${kind}`));
      const reasons = section.slice(section.indexOf("### Condition reasons"));
      for (const reason of Object.keys(table))
        expect(reasons, `${kind} ${reason}`).toContain(`\`${reason}\``);
    }
  });
});
