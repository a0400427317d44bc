import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ProviderPluginMissingError } from "../../../src/errors/index.js";
import { classifyPulumiError } from "../../../src/queue/pulumi-errors.js";
import {
  assertProviderPlugins,
  installedPlugins,
  missingProviderPlugins,
  pluginRecheckDelayMs,
  providerPluginReport,
  requiredPlugins,
} from "../../../stacks/index.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

// Whether a cloud cluster may run: the plugin its SDK package needs, read from the Pulumi home as the CLI reads it.
const tempFolder = temporaryFolders("slipway-plugins-");
function pulumiHome(folders: string[] = [], files: string[] = []): string {
  const home = tempFolder();
  for (const folder of folders) mkdirSync(join(home, "plugins", folder), { recursive: true });
  for (const file of files) writeFileSync(join(home, "plugins", file), "");
  return home;
}

describe("provider plugins", () => {
  it("needs the version each SDK package of this checkout drives", () => {
    expect(requiredPlugins([{ name: "aws", sdkPackage: "@pulumi/aws" }])).toEqual([
      { name: "aws", version: "7.48.0" },
    ]);
    expect(requiredPlugins([{ name: "azure-native", sdkPackage: "@pulumi/azure-native" }])).toEqual([
      { name: "azure-native", version: "3.28.0" },
    ]);
    expect(requiredPlugins([{ name: "gcp", sdkPackage: "@pulumi/gcp" }])).toEqual([
      { name: "gcp", version: "9.37.0" },
    ]);
  });

  it("counts only complete installs: not one being written, not one with a .partial marker", () => {
    const home = pulumiHome(
      [
        "resource-aws-v7.48.0",
        "resource-gcp-v9.37.0",
        "resource-azure-native-v3.28.0.tmp123",
        "language-go-v1.0.0",
      ],
      ["resource-gcp-v9.37.0.partial", "README"],
    );
    expect(installedPlugins(home).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      { kind: "language", name: "go", version: "1.0.0" },
      { kind: "resource", name: "aws", version: "7.48.0" },
    ]);
    expect(installedPlugins(join(home, "absent"))).toEqual([]);
  });

  it("misses a cloud's plugin that is absent or of another version; local and simulated need none", () => {
    const home = pulumiHome(["resource-aws-v7.47.0", "resource-gcp-v9.37.0"]);
    expect(missingProviderPlugins("aws", home)).toEqual([{ name: "aws", version: "7.48.0" }]);
    expect(missingProviderPlugins("gcp", home)).toEqual([]);
    expect(missingProviderPlugins("azure", home)).toEqual([{ name: "azure-native", version: "3.28.0" }]);
    expect(missingProviderPlugins("local", home)).toEqual([]);
    expect(missingProviderPlugins("simulated", home)).toEqual([]);
    expect(missingProviderPlugins("kubernetes", home)).toEqual([{ name: "kubernetes", version: "4.34.2" }]);
    expect(providerPluginReport(home)).toEqual({
      installed: ["resource aws 7.47.0", "resource gcp 9.37.0"],
      required: [
        "aws 7.48.0 (aws): missing",
        "azure-native 3.28.0 (azure): missing",
        "gcp 9.37.0 (gcp): installed",
        "kubernetes 4.34.2 (kubernetes): missing",
      ],
    });
  });

  it("refuses a run without the plugin with a message that names it, its version and how to install or mirror it", () => {
    const home = pulumiHome();
    let error: unknown;
    try {
      assertProviderPlugins("aws", home);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProviderPluginMissingError);
    const message = (error as Error).message;
    expect(message).toContain("aws 7.48.0");
    expect(message).toContain(
      `PULUMI_HOME=${home} pulumi plugin install resource aws 7.48.0 --file pulumi-resource-aws-v7.48.0-linux-amd64.tar.gz`,
    );
    expect(message).toMatch(/plugin mirror .*--server/);
    // A worker retries it with backoff until someone installs the plugin: it is never the spec's fault.
    expect(classifyPulumiError(error)).toMatchObject({ retry: true, reason: "ProviderPluginMissing" });
    mkdirSync(join(home, "plugins", "resource-aws-v7.48.0"), { recursive: true });
    expect(() => assertProviderPlugins("aws", home)).not.toThrow();
  });

  it("looks again after 10 s, then as long as the cluster has waited, never more than 5 minutes apart", () => {
    expect(pluginRecheckDelayMs(0)).toBe(10_000);
    expect(pluginRecheckDelayMs(10_000)).toBe(10_000);
    expect(pluginRecheckDelayMs(20_000)).toBe(20_000);
    expect(pluginRecheckDelayMs(160_000)).toBe(160_000);
    expect(pluginRecheckDelayMs(3_600_000)).toBe(300_000);
  });
});
