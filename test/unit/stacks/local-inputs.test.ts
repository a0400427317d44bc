import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { TerminalStackError } from "../../../src/errors/index.js";
import { validateLocalInputs, versionMatches } from "../../../stacks/local/inputs.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

describe("local platform inputs", () => {
  let binDir: string;
  const tempFolder = temporaryFolders("slipway-local-inputs-");
  const inputs = (platform: Record<string, unknown>) => ({
    clusterName: "dev-1",
    powerState: "Running",
    dataDir: "/var/lib/slipway/clusters/dev-1",
    binDir,
    platform,
  });
  const reasonOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (error) {
      if (error instanceof TerminalStackError) return error.reason;
      throw error;
    }
    return undefined;
  };

  beforeAll(async () => {
    binDir = tempFolder();
    for (const program of ["etcd", "kube-apiserver"]) await writeFile(join(binDir, program), "");
    await writeFile(join(binDir, "kube-apiserver.version"), "v1.36.3\n");
  });

  it("matches versions by whole components", () => {
    expect(versionMatches("1.36", "1.36.3")).toBe(true);
    expect(versionMatches("1.36.3", "1.36.3")).toBe(true);
    expect(versionMatches("1.3", "1.36.3")).toBe(false);
    expect(versionMatches("1.36.30", "1.36.3")).toBe(false);
    expect(versionMatches("1.35", "1.36.3")).toBe(false);
  });

  it("accepts the built version by minor or patch, refuses a prefix of it", () => {
    expect(validateLocalInputs(inputs({ version: "1.36" })).platform.version).toBe("1.36");
    expect(reasonOf(() => validateLocalInputs(inputs({ version: "1.36.3" })))).toBeUndefined();
    expect(reasonOf(() => validateLocalInputs(inputs({ version: "1.3" })))).toBe("UnsupportedVersion");
  });

  it("takes its defaults from the API schema: no kube-controller-manager unless asked for", () => {
    expect(validateLocalInputs(inputs({})).platform.controllerManager).toBe(false);
    // Asked for, it must be built.
    expect(reasonOf(() => validateLocalInputs(inputs({ controllerManager: true })))).toBe("ToolsMissing");
  });

  it("refuses what the API schema refuses, naming the field", () => {
    expect(() => validateLocalInputs({ ...inputs({}), clusterName: "Not_A_Label" })).toThrow(
      /inputs\.clusterName/,
    );
    expect(reasonOf(() => validateLocalInputs({ ...inputs({}), dataDir: "relative/dir" }))).toBe(
      "InvalidInputs",
    );
    expect(reasonOf(() => validateLocalInputs(inputs({ apiServerPort: 80 })))).toBe("InvalidInputs");
  });
});
