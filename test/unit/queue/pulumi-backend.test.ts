import { describe, expect, it } from "vitest";
import { resolvePassphrase } from "../../../src/queue/passphrase.js";
import { PulumiRunner } from "../../../src/queue/pulumi-runner.js";
import { defaultPulumiBackendUrl, loadConfig } from "../../../src/runtime/config.js";

describe("the Pulumi backend default", () => {
  it("is one: a runner given no backend uses the one the configuration defaults to", () => {
    const stateDir = "/var/lib/slipway";
    const config = loadConfig({ SLIPWAY_STATE_DIR: stateDir });
    const runner = new PulumiRunner({ toolsBinDir: "/opt/slipway/bin", stateDir, passphrase: "unused" });
    expect(config.pulumi.backendUrl).toBe("file:///var/lib/slipway/pulumi");
    expect(runner.backendUrl).toBe(config.pulumi.backendUrl);
    expect(defaultPulumiBackendUrl(stateDir)).toBe(config.pulumi.backendUrl);
  });

  it("gives way to the configured backend", () => {
    const config = loadConfig({ SLIPWAY_STATE_DIR: "/s", SLIPWAY_PULUMI_BACKEND_URL: "s3://bucket/slipway" });
    expect(config.pulumi.backendUrl).toBe("s3://bucket/slipway");
  });
});

describe("the state backend and secrets provider configuration", () => {
  const base = { SLIPWAY_STATE_DIR: "/s" };

  it("takes every object-storage backend and a KMS key, and keeps passphrase as the default", () => {
    for (const url of [
      "s3://state?endpoint=127.0.0.1:9000&disableSSL=true&s3ForcePathStyle=true",
      "gs://state/slipway",
      "azblob://state?localemu=true&protocol=http&domain=127.0.0.1:10000",
    ])
      expect(loadConfig({ ...base, SLIPWAY_PULUMI_BACKEND_URL: url }).pulumi.backendUrl).toBe(url);
    expect(loadConfig(base).pulumi.secretsProvider).toBe("passphrase");
    const kms = "awskms://alias/slipway?region=eu-west-1";
    expect(loadConfig({ ...base, SLIPWAY_PULUMI_SECRETS_PROVIDER: kms }).pulumi.secretsProvider).toBe(kms);
  });

  it("refuses another scheme in words, without repeating the rest of the URL", () => {
    expect(() =>
      loadConfig({ ...base, SLIPWAY_PULUMI_BACKEND_URL: "https://user:s3cr3t@example.invalid/state" }),
    ).toThrow(
      /^SLIPWAY_PULUMI_BACKEND_URL must start with file:\/\/, s3:\/\/, gs:\/\/, azblob:\/\/, got "https:\/\/\.\.\."$/,
    );
    expect(() => loadConfig({ ...base, SLIPWAY_PULUMI_SECRETS_PROVIDER: "vault://k?token=s3cr3t" })).toThrow(
      /^SLIPWAY_PULUMI_SECRETS_PROVIDER must be "passphrase" or a key URL .*, got "vault:\/\/\.\.\."$/,
    );
  });

  it("wants the passphrase configured for a shared backend, and none with a KMS key", () => {
    const shared = { ...base, SLIPWAY_PULUMI_BACKEND_URL: "s3://state" };
    expect(() => resolvePassphrase(loadConfig(shared))).toThrow(/needs SLIPWAY_PULUMI_PASSPHRASE/);
    expect(resolvePassphrase(loadConfig({ ...shared, SLIPWAY_PULUMI_PASSPHRASE: "p" }))).toBe("p");
    const kms = loadConfig({ ...shared, SLIPWAY_PULUMI_SECRETS_PROVIDER: "awskms://alias/slipway" });
    expect(resolvePassphrase(kms)).toBeUndefined();
    expect(
      () => new PulumiRunner({ toolsBinDir: "/opt/slipway/bin", stateDir: "/s", backendUrl: "s3://state" }),
    ).toThrow(/needs a passphrase/);
  });
});
